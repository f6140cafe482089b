package io.tiyi.waf.transforms;

/**
 * {@code t:uppercase}: converts the ASCII letters a-z to A-Z.
 *
 * <p>Example: {@code t:uppercase} turns {@code SeLeCt} into {@code SELECT}.
 *
 * <p>Edge cases: bytes 0x80-0xFF are left alone (C's {@code toupper} in the "C" locale); the empty
 * string is returned unchanged.
 */
final class Uppercase implements Transformation {

    Uppercase() {
    }

    @Override
    public String name() {
        return "uppercase";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        int i = 0;
        while (i < n) {
            char c = input.charAt(i);
            if (c >= 'a' && c <= 'z') {
                break;
            }
            i++;
        }
        if (i == n) {
            return input;
        }
        char[] out = input.toCharArray();
        for (; i < n; i++) {
            char c = out[i];
            if (c >= 'a' && c <= 'z') {
                out[i] = (char) (c - ('a' - 'A'));
            }
        }
        return new String(out);
    }
}
