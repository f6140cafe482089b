package io.tiyi.waf.operators;

/** {@code @unconditionalMatch}: always true. */
public final class UnconditionalMatch implements Operator {
    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return true;
    }
}
