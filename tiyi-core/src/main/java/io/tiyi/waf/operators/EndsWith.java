package io.tiyi.waf.operators;

/** {@code @endsWith TEXT}: true when the value ends with the (macro-expanded) text. <pre>SecRule REQUEST_FILENAME "@endsWith .php" "id:6"</pre> */
final class EndsWith implements Operator {
    private final String arg;

    public EndsWith(String arg) {
        this.arg = arg;
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return value.endsWith(ctx.expand(arg));
    }
}
