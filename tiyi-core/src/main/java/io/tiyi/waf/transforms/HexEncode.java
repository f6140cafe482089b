package io.tiyi.waf.transforms;

/**
 * {@code t:hexEncode}: encodes each byte as two lower-case hex digits.
 *
 * <p>Example: {@code t:hexEncode} turns {@code <a>} into {@code 3c613e}.
 *
 * <p>Edge cases: the result is always twice as long; the empty string stays empty (returned as it
 * is).
 */
final class HexEncode implements Transformation {

    HexEncode() {
    }

    @Override
    public String name() {
        return "hexEncode";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        if (n == 0) {
            return input;
        }
        char[] out = new char[n * 2];
        for (int i = 0; i < n; i++) {
            char c = input.charAt(i);
            out[2 * i] = ByteChars.HEX_LOWER[(c >> 4) & 0xF];
            out[2 * i + 1] = ByteChars.HEX_LOWER[c & 0xF];
        }
        return new String(out);
    }
}
