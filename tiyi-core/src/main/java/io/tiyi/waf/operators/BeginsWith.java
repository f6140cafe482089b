package io.tiyi.waf.operators;

/** {@code @beginsWith TEXT}: true when the value starts with the (macro-expanded) text. */
final class BeginsWith implements Operator {
    private final String arg;

    public BeginsWith(String arg) {
        this.arg = arg;
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return value.startsWith(ctx.expand(arg));
    }
}
