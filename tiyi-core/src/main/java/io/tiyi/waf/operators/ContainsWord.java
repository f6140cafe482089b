package io.tiyi.waf.operators;

/**
 * {@code @containsWord WORD}: true when the value contains the (macro-expanded) word with a
 * non-word byte or the value's edge on each side. Word bytes are ASCII letters, digits and
 * {@code _}; a byte above 0x7f is never one, since values are bytes and ModSecurity classifies
 * them in the C locale. An empty word matches every value, as in ModSecurity.
 */
final class ContainsWord implements Operator {
    private final String arg;

    public ContainsWord(String arg) {
        this.arg = arg;
    }

    static boolean wordByte(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        String w = ctx.expand(arg);
        if (w.isEmpty()) {
            return true;
        }
        int from = 0;
        int at;
        while ((at = value.indexOf(w, from)) >= 0) {
            int end = at + w.length();
            if ((at == 0 || !wordByte(value.charAt(at - 1))) && (end == value.length() || !wordByte(value.charAt(end)))) {
                return true;
            }
            from = at + 1;
        }
        return false;
    }
}
