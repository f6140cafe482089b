package io.tiyi.waf.operators;

/** {@code @noMatch}: always false. */
final class NoMatch implements Operator {
    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return false;
    }
}
