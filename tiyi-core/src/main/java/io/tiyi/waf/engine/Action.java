package io.tiyi.waf.engine;

/**
 * One SecLang action. Metadata, flow and disruptive actions configure the rule once at load
 * ({@link #init}); non-disruptive actions also run each time the rule (its whole chain) matches
 * ({@link #execute}).
 */
interface Action {
    /** Configures the rule at load. */
    void init(Rule rule);

    /** True when {@link #execute} does something at match time. */
    default boolean runtime() {
        return false;
    }

    /** Runs at match time. */
    default void execute(TxState tx, Rule rule) {}
}
