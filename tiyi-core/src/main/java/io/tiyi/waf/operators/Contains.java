package io.tiyi.waf.operators;

/** {@code @contains TEXT}: true when the value contains the (macro-expanded) text. <pre>SecRule ARGS "@contains ../" "id:5"</pre> */
final class Contains implements Operator {
    private final String arg;

    public Contains(String arg) {
        this.arg = arg;
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return value.contains(ctx.expand(arg));
    }
}
