package io.tiyi.waf.injection;

/**
 * libinjection's check of a URL-valued attribute ({@code is_black_url}): is the value, once numeric HTML entities are
 * decoded, a {@code javascript:}, {@code vbscript:}, {@code data:} or {@code view-source:} URL? As in libinjection,
 * only the scheme's letters are compared, without the colon ({@code JAVA} covers {@code java:} and
 * {@code javascript:}), so a relative URL like {@code database.html} counts too.
 */
final class XssUrl {

    private static final String[] SCHEMES = {"DATA", "VIEW-SOURCE", "JAVA", "VBSCRIPT"};

    /** Value of a hex digit, or {@link #NOT_HEX}. */
    private static final int[] HEX = new int[256];
    private static final int NOT_HEX = 256;

    /** The largest code point libinjection accumulates before giving up on an entity. */
    private static final int MAX_ENTITY = 0x1000FF;

    static {
        java.util.Arrays.fill(HEX, NOT_HEX);
        for (int c = '0'; c <= '9'; c++) {
            HEX[c] = c - '0';
        }
        for (int c = 'a'; c <= 'f'; c++) {
            HEX[c] = c - 'a' + 10;
            HEX[c - 0x20] = c - 'a' + 10;
        }
    }

    private XssUrl() {}

    /** Whether {@code s[start, start + length)}, an attribute value, is a URL with a dangerous scheme. */
    static boolean isBlackUrl(String s, int start, int length) {
        int end = start + length;
        // skip blanks, control chars and every non-ASCII byte (Opera takes some UTF-8 blanks; EUC-JP ignores some)
        while (start < end) {
            char c = s.charAt(start);
            if (c > 32 && c < 127) {
                break;
            }
            start++;
        }
        for (String scheme : SCHEMES) {
            if (htmlDecodedStartsWith(scheme, s, start, end)) {
                return true;
            }
        }
        return false;
    }

    /**
     * libinjection's {@code htmlencode_startswith}: whether {@code s[start, end)} starts with {@code upperPrefix}
     * once numeric entities are decoded, ASCII case-insensitive, ignoring leading chars up to space, and NULs and
     * newlines anywhere. A decoded code point is compared by its low byte, as the C code's {@code (char)} cast does.
     */
    private static boolean htmlDecodedStartsWith(String upperPrefix, String s, int start, int end) {
        int matched = 0;
        boolean first = true;
        int at = start;
        while (at < end) {
            if (matched == upperPrefix.length()) {
                return true;
            }
            long decoded = decodeAt(s, at, end);
            int c = (int) decoded;
            at += (int) (decoded >>> 32);
            if (first && c <= 32) {
                continue;
            }
            first = false;
            if (c == 0 || c == '\n') {
                continue;
            }
            if (c >= 'a' && c <= 'z') {
                c -= 0x20;
            }
            if ((c & 0xFF) != upperPrefix.charAt(matched)) {
                return false;
            }
            matched++;
        }
        return matched == upperPrefix.length();
    }

    /**
     * libinjection's {@code html_decode_char_at} for {@code s[at, end)} (not empty): the char there, or the code point
     * of a numeric entity {@code &#65;}, {@code &#x41;} (the {@code ;} optional) starting there; a malformed entity
     * reads as its {@code &}. Returns the code point in the low 32 bits and the number of chars read in the high ones.
     */
    private static long decodeAt(String s, int at, int end) {
        int length = end - at;
        char c = s.charAt(at);
        if (c != '&' || length < 3 || s.charAt(at + 1) != '#') {
            return result(c, 1);
        }
        char kind = s.charAt(at + 2);
        if (kind == 'x' || kind == 'X') {
            if (length < 4) {
                return result('&', 1);
            }
            int value = hex(s.charAt(at + 3));
            if (value == NOT_HEX) {
                return result('&', 1);
            }
            int i = 4;
            for (; i < length; i++) {
                char d = s.charAt(at + i);
                if (d == ';') {
                    return result(value, i + 1);
                }
                int digit = hex(d);
                if (digit == NOT_HEX) {
                    return result(value, i);
                }
                value = value * 16 + digit;
                if (value > MAX_ENTITY) {
                    return result('&', 1);
                }
            }
            return result(value, i);
        }
        if (kind < '0' || kind > '9') {
            return result('&', 1);
        }
        int value = kind - '0';
        int i = 3;
        for (; i < length; i++) {
            char d = s.charAt(at + i);
            if (d == ';') {
                return result(value, i + 1);
            }
            if (d < '0' || d > '9') {
                return result(value, i);
            }
            value = value * 10 + (d - '0');
            if (value > MAX_ENTITY) {
                return result('&', 1);
            }
        }
        return result(value, i);
    }

    private static int hex(char c) {
        return c < 256 ? HEX[c] : NOT_HEX;
    }

    private static long result(int codePoint, int consumed) {
        return ((long) consumed << 32) | codePoint;
    }
}
