package io.tiyi.waf.transforms;

import static io.tiyi.waf.transforms.ByteChars.hexValue;
import static io.tiyi.waf.transforms.ByteChars.isHex;

/**
 * {@code t:htmlEntityDecode}: decodes HTML character references the way ModSecurity does.
 *
 * <p>Example: {@code t:htmlEntityDecode} turns {@code &lt;script&#x3e;alert(1)&#60;/script&gt;}
 * into {@code <script>alert(1)</script>}.
 *
 * <ul>
 *   <li>{@code &#DDD;} (decimal) and {@code &#xHH;} / {@code &#XHH;} (hex, any number of digits,
 *       leading zeros allowed) become the byte of that value when it is at most 0xFF, as in
 *       ModSecurity. Larger values become the UTF-8 bytes of the code point (as browsers and
 *       Coraza decode them) rather than ModSecurity's low byte, so that text a browser submitted as
 *       {@code &#1084;} (Cyrillic) does not turn into {@code <}; surrogates and values above
 *       U+10FFFF become U+FFFD in UTF-8.</li>
 *   <li>Named references: only {@code quot amp lt gt nbsp}, in any case ({@code &LT;} works), as in
 *       ModSecurity; {@code nbsp} gives the byte 0xA0. Other names are kept as written.</li>
 *   <li>The trailing {@code ;} is optional: {@code &lt}, {@code &#60} and {@code &#x3c} decode too,
 *       and the reference ends at the first byte that cannot continue it ({@code &#60abc} gives
 *       {@code <abc}; {@code &ltx} is the unknown name {@code ltx} and is kept).</li>
 *   <li>Kept as written: {@code &} alone or at the end, {@code &#} or {@code &#x} without a digit,
 *       and {@code &} followed by a non-alphanumeric byte.</li>
 * </ul>
 */
final class HtmlEntityDecode implements Transformation {

    /** Values above this are all out of Unicode's range; parsing stops growing there. */
    private static final int OUT_OF_RANGE = 0x110000;

    HtmlEntityDecode() {
    }

    @Override
    public String name() {
        return "htmlEntityDecode";
    }

    @Override
    public String apply(String input) {
        int i = input.indexOf('&');
        if (i < 0) {
            return input;
        }
        int n = input.length();
        // A reference is never shorter than what it decodes to (&#256 is 5 bytes, U+0100 in UTF-8 is 2).
        char[] out = new char[n];
        input.getChars(0, i, out, 0);
        int d = i;
        boolean changed = false;
        while (i < n) {
            char c = input.charAt(i);
            if (c != '&' || i + 1 >= n) {
                out[d++] = c;
                i++;
                continue;
            }
            int j = i + 1;
            if (input.charAt(j) == '#') {
                j++;
                boolean hex = j + 1 < n && (input.charAt(j) | 0x20) == 'x';
                if (hex) {
                    j++;
                }
                int k = j;
                int value = 0;
                while (j < n && (hex ? isHex(input.charAt(j)) : isDigit(input.charAt(j)))) {
                    int digit = hex ? hexValue(input.charAt(j)) : input.charAt(j) - '0';
                    value = Math.min(value * (hex ? 16 : 10) + digit, OUT_OF_RANGE);
                    j++;
                }
                if (j == k) {
                    // "&#" or "&#x" without a digit: keep it and go on after it.
                    input.getChars(i, k, out, d);
                    d += k - i;
                    i = k;
                    continue;
                }
                d = appendCodePoint(out, d, value);
            } else {
                int k = j;
                while (j < n && isAlnum(input.charAt(j))) {
                    j++;
                }
                char named = j > k ? namedEntity(input, k, j) : 0;
                if (named == 0) {
                    // Not a name we decode: keep '&' and the name, go on after them.
                    input.getChars(i, j, out, d);
                    d += j - i;
                    i = j;
                    continue;
                }
                out[d++] = named;
            }
            changed = true;
            i = j < n && input.charAt(j) == ';' ? j + 1 : j;
        }
        return changed ? new String(out, 0, d) : input;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlnum(char c) {
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    }

    /** The byte for the five names ModSecurity decodes, compared case-insensitively; 0 for others. */
    private static char namedEntity(String s, int from, int to) {
        switch (to - from) {
            case 2:
                if (s.regionMatches(true, from, "lt", 0, 2)) {
                    return '<';
                }
                if (s.regionMatches(true, from, "gt", 0, 2)) {
                    return '>';
                }
                return 0;
            case 3:
                return s.regionMatches(true, from, "amp", 0, 3) ? '&' : 0;
            case 4:
                if (s.regionMatches(true, from, "quot", 0, 4)) {
                    return '"';
                }
                if (s.regionMatches(true, from, "nbsp", 0, 4)) {
                    return (char) 0xA0;
                }
                return 0;
            default:
                return 0;
        }
    }

    /** Writes a numeric reference's value: one byte up to 0xFF, else UTF-8 (U+FFFD when invalid). */
    private static int appendCodePoint(char[] out, int d, int value) {
        if (value <= 0xFF) {
            out[d++] = (char) value;
            return d;
        }
        int cp = value >= OUT_OF_RANGE || (value >= 0xD800 && value <= 0xDFFF) ? 0xFFFD : value;
        if (cp < 0x800) {
            out[d++] = (char) (0xC0 | (cp >> 6));
        } else if (cp < 0x10000) {
            out[d++] = (char) (0xE0 | (cp >> 12));
            out[d++] = (char) (0x80 | ((cp >> 6) & 0x3F));
        } else {
            out[d++] = (char) (0xF0 | (cp >> 18));
            out[d++] = (char) (0x80 | ((cp >> 12) & 0x3F));
            out[d++] = (char) (0x80 | ((cp >> 6) & 0x3F));
        }
        out[d++] = (char) (0x80 | (cp & 0x3F));
        return d;
    }
}
