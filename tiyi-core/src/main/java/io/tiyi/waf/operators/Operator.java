package io.tiyi.waf.operators;

/** A SecLang operator ({@code @rx}, {@code @pm}...), compiled once with its argument. Thread-safe. */
public interface Operator {
    /** True when {@code value} (a byte string) matches. */
    boolean evaluate(MatchContext ctx, String value);

    /**
     * Whether this operator keeps working state per thread (a regular-expression matcher). Such an
     * operator gets a slot in the rule set's per-thread array ({@link MatchContext#scratch()}):
     * finding its state is then an array read, not a thread-local lookup per evaluation among the
     * hundreds a rule set like the CRS would register.
     */
    default boolean wantsScratch() {
        return false;
    }

    /** Gives the operator its slot in {@link MatchContext#scratch()}; called once, before the rule set is used. */
    default void scratchSlot(int slot) {}
}
