package io.tiyi.waf.engine;

/** Integer reading the way SecLang does it: leading digits count, anything else is 0. */
final class Numbers {
    private Numbers() {}

    static long parse(String s) {
        if (s == null) {
            return 0;
        }
        // Scores are added by the thousand per transaction: plain ASCII numbers are read in place,
        // anything else (padding, other scripts' digits, overflow) the general way below.
        int n = s.length();
        if (n > 0 && n <= 18) {
            int i = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
            long v = 0;
            int start = i;
            while (i < n) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    break;
                }
                v = v * 10 + (c - '0');
                i++;
            }
            if (i == n && i > start) {
                return s.charAt(0) == '-' ? -v : v;
            }
        }
        return general(s);
    }

    /** SecLang's reading, written plainly: trim, optional sign, leading digits, 0 when none or too large. */
    static long general(String s) {
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
