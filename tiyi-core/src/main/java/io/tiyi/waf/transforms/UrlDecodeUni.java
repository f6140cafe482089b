package io.tiyi.waf.transforms;

import static io.tiyi.waf.transforms.ByteChars.hexByte;
import static io.tiyi.waf.transforms.ByteChars.isHex;

/**
 * {@code t:urlDecodeUni}: like {@link UrlDecode}, and also decodes the Microsoft (IIS) {@code %uXXXX}
 * encoding.
 *
 * <p>Example: {@code t:urlDecodeUni} turns {@code %u003cscript%3E} into {@code <script>}, and the
 * full-width {@code %uFF1Cscript%uFF1E} into {@code <script>} too.
 *
 * <p>{@code %uXXXX} (the {@code u} in either case) becomes one byte, as ModSecurity and Coraza do
 * without a {@code SecUnicodeMapFile}: the low byte of the code unit ({@code %u0041} gives
 * {@code A}, {@code %u4142} gives {@code B}), except that the full-width ASCII forms U+FF01-U+FF5E
 * map to the ASCII they stand for ({@code %uFF01} gives {@code !}, low byte plus 0x20).
 *
 * <p>Edge cases: {@code %u} with fewer than four following bytes, or with a non-hex digit among
 * them ({@code %u12}, {@code %u12zz}), keeps {@code %u} as it is and decoding goes on after the
 * {@code u}; a {@code %} not followed by two hex digits is kept; {@code +} becomes a space.
 */
final class UrlDecodeUni implements Transformation {

    UrlDecodeUni() {
    }

    @Override
    public String name() {
        return "urlDecodeUni";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        int i = 0;
        while (i < n) {
            char c = input.charAt(i);
            if (c == '%' || c == '+') {
                break;
            }
            i++;
        }
        if (i == n) {
            return input;
        }
        char[] out = new char[n];
        input.getChars(0, i, out, 0);
        int d = i;
        boolean changed = false;
        while (i < n) {
            char c = input.charAt(i);
            if (c == '%') {
                char next = i + 1 < n ? input.charAt(i + 1) : 0;
                if (next == 'u' || next == 'U') {
                    if (i + 5 < n
                            && isHex(input.charAt(i + 2)) && isHex(input.charAt(i + 3))
                            && isHex(input.charAt(i + 4)) && isHex(input.charAt(i + 5))) {
                        out[d++] = unicodeToByte(input, i + 2);
                        i += 6;
                        changed = true;
                    } else {
                        out[d++] = '%';
                        out[d++] = next;
                        i += 2;
                    }
                } else if (i + 2 < n && isHex(next) && isHex(input.charAt(i + 2))) {
                    out[d++] = hexByte(next, input.charAt(i + 2));
                    i += 3;
                    changed = true;
                } else {
                    out[d++] = '%';
                    i++;
                }
            } else if (c == '+') {
                out[d++] = ' ';
                i++;
                changed = true;
            } else {
                out[d++] = c;
                i++;
            }
        }
        return changed ? new String(out, 0, d) : input;
    }

    /**
     * The byte for the four hex digits at {@code s[at..at+3]}: the low byte, or for the full-width
     * ASCII forms U+FF01-U+FF5E the ASCII character (low byte plus 0x20). Shared with
     * {@link JsDecode} ({@code \}{@code uXXXX}), which ModSecurity decodes the same way.
     */
    static char unicodeToByte(String s, int at) {
        char low = hexByte(s.charAt(at + 2), s.charAt(at + 3));
        if (low > 0x00 && low < 0x5F
                && (s.charAt(at) | 0x20) == 'f' && (s.charAt(at + 1) | 0x20) == 'f') {
            return (char) (low + 0x20);
        }
        return low;
    }
}
