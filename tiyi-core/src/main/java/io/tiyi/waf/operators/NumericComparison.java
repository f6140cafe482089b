package io.tiyi.waf.operators;

/**
 * The numeric operators {@code @eq @ge @gt @le @lt}: both sides are read as integers (the
 * argument after macro expansion); text that is not a number counts as 0, as in ModSecurity.
 */
abstract class NumericComparison implements Operator {
    private final String arg;
    private final long constant;
    private final boolean dynamic;

    NumericComparison(String arg) {
        this.arg = arg.trim();
        this.dynamic = this.arg.contains("%{");
        this.constant = dynamic ? 0 : parse(this.arg);
    }

    static long parse(String s) {
        String t = s.trim();
        int end = 0;
        if (end < t.length() && (t.charAt(end) == '-' || t.charAt(end) == '+')) {
            end++;
        }
        while (end < t.length() && Character.isDigit(t.charAt(end))) {
            end++;
        }
        try {
            return end == 0 || (end == 1 && !Character.isDigit(t.charAt(0))) ? 0 : Long.parseLong(t.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public final boolean evaluate(MatchContext ctx, String value) {
        long right = dynamic ? parse(ctx.expand(arg)) : constant;
        return compare(parse(value), right);
    }

    abstract boolean compare(long value, long argument);
}
