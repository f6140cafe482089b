package io.tiyi.waf.transforms;

/**
 * {@code t:lowercase}: converts the ASCII letters A-Z to a-z.
 *
 * <p>Example: {@code t:lowercase} turns {@code SeLeCt} into {@code select}.
 *
 * <p>Edge cases: bytes 0x80-0xFF are left alone (as C's {@code tolower} does in the "C" locale,
 * which ModSecurity uses); the empty string is returned unchanged.
 */
final class Lowercase implements Transformation {

    Lowercase() {
    }

    @Override
    public String name() {
        return "lowercase";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        int i = 0;
        while (i < n) {
            char c = input.charAt(i);
            if (c >= 'A' && c <= 'Z') {
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
            if (c >= 'A' && c <= 'Z') {
                out[i] = (char) (c + ('a' - 'A'));
            }
        }
        return new String(out);
    }
}
