package io.tiyi.waf.transforms;

/**
 * {@code t:removeComments}: removes comments: C-style {@code /* ... *}{@code /}, HTML
 * {@code <!-- ... -->}, and the line comments {@code --} and {@code #}.
 *
 * <p>Example: {@code t:removeComments} turns {@code UNI/**}{@code /ON SEL<!-- x -->ECT} into
 * {@code UNION SELECT}, and {@code 1 OR 1=1-- rest} into {@code 1 OR 1=1}.
 *
 * <p>Edge cases: a block comment removes to its end with nothing in its place (unlike
 * {@link ReplaceComments}); an unterminated block comment runs to the end and becomes one space;
 * {@code --} or {@code #} outside a block comment removes everything from there to the end, as
 * ModSecurity does (it does not stop at a newline); either block ending ({@code *}{@code /} or
 * {@code -->}) closes either kind of block comment, as in ModSecurity.
 */
final class RemoveComments implements Transformation {

    RemoveComments() {
    }

    @Override
    public String name() {
        return "removeComments";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        int i = 0;
        while (i < n && !startsComment(input, i, n)) {
            i++;
        }
        if (i == n) {
            return input;
        }
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
                } else if (c == '<' && input.startsWith("!--", i + 1)) {
                    inComment = true;
                    i += 4;
                } else if (c == '#' || (c == '-' && i + 1 < n && input.charAt(i + 1) == '-')) {
                    break;
                } else {
                    out[d++] = c;
                    i++;
                }
            } else if (c == '*' && i + 1 < n && input.charAt(i + 1) == '/') {
                inComment = false;
                i += 2;
            } else if (c == '-' && input.startsWith("->", i + 1)) {
                inComment = false;
                i += 3;
            } else {
                i++;
            }
        }
        if (inComment) {
            out[d++] = ' ';
        }
        return new String(out, 0, d);
    }

    private static boolean startsComment(String s, int i, int n) {
        char c = s.charAt(i);
        return c == '#'
                || (c == '/' && i + 1 < n && s.charAt(i + 1) == '*')
                || (c == '-' && i + 1 < n && s.charAt(i + 1) == '-')
                || (c == '<' && s.startsWith("!--", i + 1));
    }
}
