package io.tiyi.waf.operators;

/** What an operator may ask of the transaction that runs it. */
public interface MatchContext {
    /** Expands {@code %{...}} macros in an operator argument against the transaction. */
    String expand(String text);

    /** True when the rule has the {@code capture} action. */
    boolean capturing();

    /** Sets {@code TX.<index>} (0-9) to a captured value. */
    void capture(int index, String value);

    /** Records an evaluation error (for example a regex that hit its step budget); evaluation goes on. */
    void error(String message);
}
