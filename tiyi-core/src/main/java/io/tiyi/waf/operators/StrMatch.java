package io.tiyi.waf.operators;

/** {@code @strmatch TEXT}: true when the value contains the text (a literal, not expanded). */
public final class StrMatch implements Operator {
    private final String arg;

    public StrMatch(String arg) {
        this.arg = arg;
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return value.contains(arg);
    }
}
