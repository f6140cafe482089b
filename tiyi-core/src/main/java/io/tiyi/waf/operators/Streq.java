package io.tiyi.waf.operators;

/** {@code @streq TEXT}: true when the value equals the (macro-expanded) text exactly. <pre>SecRule REQUEST_METHOD "@streq POST" "id:4"</pre> */
final class Streq implements Operator {
    private final String arg;

    public Streq(String arg) {
        this.arg = arg;
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return value.equals(ctx.expand(arg));
    }
}
