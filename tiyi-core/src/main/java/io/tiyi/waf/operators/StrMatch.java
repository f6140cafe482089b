package io.tiyi.waf.operators;

/**
 * {@code @strmatch TEXT}: true when the value contains the (macro-expanded) text, compared as
 * literal bytes, never as a pattern. ModSecurity v3 and Coraza expand macros here as for
 * {@code @contains}.
 */
final class StrMatch implements Operator {
    private final String arg;

    public StrMatch(String arg) {
        this.arg = arg;
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return value.contains(ctx.expand(arg));
    }
}
