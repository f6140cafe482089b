package io.tiyi.waf.transforms;

/**
 * {@code t:removeNulls}: removes every NUL byte (0x00).
 *
 * <p>Example: {@code t:removeNulls} turns {@code sel\0ect} into {@code select}.
 *
 * <p>Edge cases: only 0x00 is removed (not the text {@code %00}: decode first); input without NUL
 * is returned unchanged.
 */
final class RemoveNulls implements Transformation {

    RemoveNulls() {
    }

    @Override
    public String name() {
        return "removeNulls";
    }

    @Override
    public String apply(String input) {
        int i = input.indexOf('\0');
        if (i < 0) {
            return input;
        }
        int n = input.length();
        char[] out = new char[n];
        input.getChars(0, i, out, 0);
        int d = i;
        for (; i < n; i++) {
            char c = input.charAt(i);
            if (c != '\0') {
                out[d++] = c;
            }
        }
        return new String(out, 0, d);
    }
}
