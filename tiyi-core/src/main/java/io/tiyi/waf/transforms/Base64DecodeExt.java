package io.tiyi.waf.transforms;

/**
 * {@code t:base64DecodeExt}: decodes Base64 forgivingly, as ModSecurity's extended decoder does:
 * bytes outside the alphabet are skipped instead of ending the decoding.
 *
 * <p>Example: {@code t:base64DecodeExt} turns {@code P.HNj cmlw\ndD4} into {@code <script>}.
 *
 * <p>Both alphabets are accepted: {@code +} or {@code -} for 62, {@code /} or {@code _} for 63
 * (URL-safe Base64). Edge cases: every {@code =} is skipped wherever it is, as is any other byte
 * outside the alphabet (whitespace, dots, NUL, bytes above 0x7F); a single leftover character is
 * dropped; input with nothing to decode gives the empty string.
 */
final class Base64DecodeExt implements Transformation {

    private static final byte[] FORGIVING = Base64Decode.STANDARD.clone();

    static {
        FORGIVING['-'] = 62;
        FORGIVING['_'] = 63;
    }

    Base64DecodeExt() {
    }

    @Override
    public String name() {
        return "base64DecodeExt";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        if (n == 0) {
            return input;
        }
        char[] out = new char[(n / 4 + 1) * 3];
        int d = 0;
        int bits = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
            char c = input.charAt(i);
            int v = c < 256 ? FORGIVING[c] : -1;
            if (v < 0) {
                continue;
            }
            bits = (bits << 6) | v;
            if (++count == 4) {
                out[d++] = (char) ((bits >> 16) & 0xFF);
                out[d++] = (char) ((bits >> 8) & 0xFF);
                out[d++] = (char) (bits & 0xFF);
                bits = 0;
                count = 0;
            }
        }
        d = Base64Decode.flush(out, d, bits, count);
        String result = new String(out, 0, d);
        return result.equals(input) ? input : result;
    }
}
