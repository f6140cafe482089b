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

    /**
     * The regular-expression steps (character reads by the matcher) this transaction may still
     * take; {@link Long#MAX_VALUE} when it has no budget. A regex operator reads at most this many
     * before it calls {@link #chargeRegexSteps}.
     */
    default long regexStepsLeft() {
        return Long.MAX_VALUE;
    }

    /**
     * Charges steps a regex operator took to the transaction. When the transaction is over its
     * budget, in steps or in time, this throws an unchecked exception of the engine that ends the
     * evaluation of the transaction: operators must let it through (releasing what they hold).
     */
    default void chargeRegexSteps(long steps) {}

    /**
     * Counts one {@code @rx} evaluation; {@code matcherRan} is false when the pattern's prefilter
     * rejected the value without running the matcher.
     */
    default void countRegex(boolean matcherRan) {}

    /**
     * The per-thread scratch array of the rule set being evaluated, whose slots were handed to
     * operators with {@link Operator#scratchSlot} when it was compiled; null when the evaluation
     * is not part of a rule set's (the operator then keeps its state another way). It belongs to
     * the calling thread for the length of one phase.
     */
    default Object[] scratch() {
        return null;
    }
}
