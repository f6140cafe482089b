package io.tiyi.waf.transforms;

import static io.tiyi.waf.transforms.ByteChars.isSpaceOrNbsp;

/**
 * {@code t:compressWhitespace}: turns each run of whitespace into a single space.
 *
 * <p>Example: {@code t:compressWhitespace} turns {@code union \t\n  select} into
 * {@code union select}.
 *
 * <p>Whitespace is space, \t, \n, \v, \f, \r and the non-breaking space 0xA0 (ModSecurity 2 and
 * Coraza count 0xA0; a lone 0xA0 becomes a space too). Edge cases: leading and trailing runs become
 * one space, they are not removed; input with single spaces only is returned unchanged.
 */
final class CompressWhitespace implements Transformation {

    CompressWhitespace() {
    }

    @Override
    public String name() {
        return "compressWhitespace";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        int i = 0;
        // Up to the first whitespace that is not a single plain space.
        while (i < n) {
            char c = input.charAt(i);
            if (isSpaceOrNbsp(c) && (c != ' ' || (i + 1 < n && isSpaceOrNbsp(input.charAt(i + 1))))) {
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
        boolean inSpace = false;
        for (; i < n; i++) {
            char c = input.charAt(i);
            if (isSpaceOrNbsp(c)) {
                if (!inSpace) {
                    out[d++] = ' ';
                    inSpace = true;
                }
            } else {
                out[d++] = c;
                inSpace = false;
            }
        }
        return new String(out, 0, d);
    }
}
