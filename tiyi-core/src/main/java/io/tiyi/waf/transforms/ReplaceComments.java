package io.tiyi.waf.transforms;

/**
 * {@code t:replaceComments}: replaces each C-style comment {@code /* ... *}{@code /} with one space.
 *
 * <p>Example: {@code t:replaceComments} turns {@code UNION/**}{@code /SELECT} into
 * {@code UNION SELECT}.
 *
 * <p>Edge cases: an unterminated comment runs to the end and becomes one space
 * ({@code a/*b} gives {@code a }); a lone {@code *}{@code /} outside a comment is kept; comments do
 * not nest (the first {@code *}{@code /} ends the comment); {@code --}, {@code #} and {@code <!--}
 * are not comments here (see {@link RemoveComments}).
 */
final class ReplaceComments implements Transformation {

    ReplaceComments() {
    }

    @Override
    public String name() {
        return "replaceComments";
    }

    @Override
    public String apply(String input) {
        int i = input.indexOf("/*");
        if (i < 0) {
            return input;
        }
        int n = input.length();
        char[] out = new char[n];
        input.getChars(0, i, out, 0);
        int d = i;
        boolean inComment = false;
        while (i < n) {
            char c = input.charAt(i);
            if (!inComment) {
                if (c == '/' && i + 1 < n && input.charAt(i + 1) == '*') {
                    inComment = true;
                    i += 2;
                } else {
                    out[d++] = c;
                    i++;
                }
            } else if (c == '*' && i + 1 < n && input.charAt(i + 1) == '/') {
                inComment = false;
                out[d++] = ' ';
                i += 2;
            } else {
                i++;
            }
        }
        if (inComment) {
            out[d++] = ' ';
        }
        return new String(out, 0, d);
    }
}
