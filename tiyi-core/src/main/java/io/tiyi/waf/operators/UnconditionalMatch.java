package io.tiyi.waf.operators;

/** {@code @unconditionalMatch}: always true. */
final class UnconditionalMatch implements Operator {
    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return true;
    }
}
