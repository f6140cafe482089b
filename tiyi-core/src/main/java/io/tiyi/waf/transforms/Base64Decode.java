package io.tiyi.waf.transforms;

/**
 * {@code t:base64Decode} (CRS also writes {@code t:base64decode}): decodes standard Base64
 * (RFC 4648 alphabet {@code A-Z a-z 0-9 + /}).
 *
 * <p>Example: {@code t:base64Decode} turns {@code PHNjcmlwdD4=} into {@code <script>}.
 *
 * <p>Edge cases, as Coraza decodes (partially, where ModSecurity 3 would give nothing): padding is
 * optional ({@code YWI} gives {@code ab}); decoding stops at the first {@code =} or at the first
 * byte outside the alphabet, space included, and what was decoded up to there is the result
 * ({@code YWJj!ZGVm} gives {@code abc}); CR and LF are skipped (line-wrapped Base64); a single
 * leftover character carries too few bits for a byte and is dropped; the empty string stays empty.
 */
final class Base64Decode implements Transformation {

    /** The value of each Base64 character, -1 for bytes outside the alphabet. */
    static final byte[] STANDARD = new byte[256];

    static {
        java.util.Arrays.fill(STANDARD, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int k = 0; k < alphabet.length(); k++) {
            STANDARD[alphabet.charAt(k)] = (byte) k;
        }
    }

    Base64Decode() {
    }

    @Override
    public String name() {
        return "base64Decode";
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
            if (c == '\r' || c == '\n') {
                continue;
            }
            int v = c < 256 ? STANDARD[c] : -1;
            if (v < 0) {
                break;
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
        d = flush(out, d, bits, count);
        String result = new String(out, 0, d);
        return result.equals(input) ? input : result;
    }

    /** Writes the bytes of a last, incomplete group of {@code count} characters. */
    static int flush(char[] out, int d, int bits, int count) {
        if (count == 2) {
            out[d++] = (char) ((bits >> 4) & 0xFF);
        } else if (count == 3) {
            out[d++] = (char) ((bits >> 10) & 0xFF);
            out[d++] = (char) ((bits >> 2) & 0xFF);
        }
        return d;
    }
}
