package io.tiyi.waf.transforms;

import static io.tiyi.waf.transforms.ByteChars.isSpaceOrNbsp;

/**
 * {@code t:removeWhitespace}: removes every whitespace byte.
 *
 * <p>Example: {@code t:removeWhitespace} turns {@code un ion\tsel\nect} into {@code unionselect}.
 *
 * <p>Whitespace is space, \t, \n, \v, \f, \r and the non-breaking space 0xA0, as in ModSecurity.
 * Edge cases: input that is all whitespace gives the empty string.
 */
final class RemoveWhitespace implements Transformation {

    RemoveWhitespace() {
    }

    @Override
    public String name() {
        return "removeWhitespace";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        int i = 0;
        while (i < n && !isSpaceOrNbsp(input.charAt(i))) {
            i++;
        }
        if (i == n) {
            return input;
        }
        char[] out = new char[n];
        input.getChars(0, i, out, 0);
        int d = i;
        for (; i < n; i++) {
            char c = input.charAt(i);
            if (!isSpaceOrNbsp(c)) {
                out[d++] = c;
            }
        }
        return new String(out, 0, d);
    }
}
