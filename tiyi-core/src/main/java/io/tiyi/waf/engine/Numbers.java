package io.tiyi.waf.engine;

/** Integer reading the way SecLang does it: leading digits count, anything else is 0. */
final class Numbers {
    private Numbers() {}

    static long parse(String s) {
        if (s == null) {
            return 0;
        }
        String t = s.trim();
        int end = 0;
        if (end < t.length() && (t.charAt(end) == '-' || t.charAt(end) == '+')) {
            end++;
        }
        int digits = end;
        while (end < t.length() && Character.isDigit(t.charAt(end))) {
            end++;
        }
        if (end == digits) {
            return 0;
        }
        try {
            return Long.parseLong(t.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
