package io.tiyi.waf.transforms;

import static io.tiyi.waf.transforms.ByteChars.hexByte;
import static io.tiyi.waf.transforms.ByteChars.isHex;

/**
 * {@code t:sqlHexDecode}: decodes SQL hex literals ({@code 0x...}) in place, as ModSecurity does.
 *
 * <p>Example: {@code t:sqlHexDecode} turns {@code SELECT 0x61646d696e} into {@code SELECT admin}.
 *
 * <p>{@code 0x} or {@code 0X} followed by at least one pair of hex digits is replaced by the bytes of
 * all the pairs that follow it. Edge cases: an odd last digit is kept ({@code 0x414} gives
 * {@code A4}); {@code 0x} without a pair after it is kept ({@code 0x}, {@code 0x4}, {@code 0xzz});
 * a literal can start anywhere, even inside a word ({@code a0x41} gives {@code aA}).
 */
final class SqlHexDecode implements Transformation {

    SqlHexDecode() {
    }

    @Override
    public String name() {
        return "sqlHexDecode";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        int i = 0;
        while (i < n && !startsLiteral(input, i, n)) {
            i++;
        }
        if (i == n) {
            return input;
        }
        char[] out = new char[n];
        input.getChars(0, i, out, 0);
        int d = i;
        while (i < n) {
            if (startsLiteral(input, i, n)) {
                i += 2;
                do {
                    out[d++] = hexByte(input.charAt(i), input.charAt(i + 1));
                    i += 2;
                } while (i + 1 < n && isHex(input.charAt(i)) && isHex(input.charAt(i + 1)));
            } else {
                out[d++] = input.charAt(i++);
            }
        }
        return new String(out, 0, d);
    }

    private static boolean startsLiteral(String s, int i, int n) {
        return i + 3 < n
                && s.charAt(i) == '0'
                && (s.charAt(i + 1) | 0x20) == 'x'
                && isHex(s.charAt(i + 2))
                && isHex(s.charAt(i + 3));
    }
}
