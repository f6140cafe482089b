package io.tiyi.waf.transforms;

import static io.tiyi.waf.transforms.ByteChars.hexByte;
import static io.tiyi.waf.transforms.ByteChars.isHex;

/**
 * {@code t:hexDecode}: decodes a string of hex digit pairs into bytes.
 *
 * <p>Example: {@code t:hexDecode} turns {@code 3c7363726970743e} into {@code <script>}.
 *
 * <p>Edge cases: digits in either case; an odd last digit is dropped ({@code 414} gives {@code A});
 * decoding stops at the first pair that is not two hex digits and the bytes decoded up to there are
 * the result ({@code 4142zz43} gives {@code AB}; ModSecurity would decode that pair to an
 * arbitrary byte and Coraza would fail, while Tiyi keeps the well-formed prefix); the empty string
 * stays empty.
 */
final class HexDecode implements Transformation {

    HexDecode() {
    }

    @Override
    public String name() {
        return "hexDecode";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        if (n == 0) {
            return input;
        }
        char[] out = new char[n / 2];
        int d = 0;
        for (int i = 0; i + 1 < n; i += 2) {
            char hi = input.charAt(i);
            char lo = input.charAt(i + 1);
            if (!isHex(hi) || !isHex(lo)) {
                break;
            }
            out[d++] = hexByte(hi, lo);
        }
        String result = new String(out, 0, d);
        return result.equals(input) ? input : result;
    }
}
