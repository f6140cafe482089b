package io.tiyi.waf.operators;

/** {@code @containsWord WORD}: true when the value contains the (macro-expanded) word with non-word characters or the value edges around it. */
public final class ContainsWord implements Operator {
    private final String arg;

    public ContainsWord(String arg) {
        this.arg = arg;
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        String w = ctx.expand(arg);
        if (w.isEmpty()) {
            return false;
        }
        int from = 0;
        int at;
        while ((at = value.indexOf(w, from)) >= 0) {
            boolean left = at == 0 || !Character.isLetterOrDigit(value.charAt(at - 1)) && value.charAt(at - 1) != '_';
            int end = at + w.length();
            boolean right = end == value.length() || !Character.isLetterOrDigit(value.charAt(end)) && value.charAt(end) != '_';
            if (left && right) {
                return true;
            }
            from = at + 1;
        }
        return false;
    }
}
