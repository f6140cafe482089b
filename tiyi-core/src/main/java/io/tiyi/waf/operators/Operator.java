package io.tiyi.waf.operators;

/** A SecLang operator ({@code @rx}, {@code @pm}...), compiled once with its argument. Thread-safe. */
public interface Operator {
    /** True when {@code value} (a byte string) matches. */
    boolean evaluate(MatchContext ctx, String value);
}
