package io.tiyi.waf.transforms;

/**
 * {@code t:removeCommentsChar}: removes the comment markers {@code /*}, {@code *}{@code /},
 * {@code <!--}, {@code -->}, {@code --} and {@code #}, keeping what is between them.
 *
 * <p>Example: {@code t:removeCommentsChar} turns {@code UNI/**}{@code /ON SEL<!--E-->CT#} into
 * {@code UNION SELECT}.
 *
 * <p>Edge cases: markers are matched left to right on the input, longest first where they overlap
 * ({@code -->} before {@code --}); bytes that come together after a removal are not matched again
 * ({@code -#-} gives {@code --}); a single {@code -}, {@code /} or {@code *} is kept.
 */
final class RemoveCommentsChar implements Transformation {

    RemoveCommentsChar() {
    }

    @Override
    public String name() {
        return "removeCommentsChar";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        int i = 0;
        while (i < n && markerLength(input, i, n) == 0) {
            i++;
        }
        if (i == n) {
            return input;
        }
        char[] out = new char[n];
        input.getChars(0, i, out, 0);
        int d = i;
        while (i < n) {
            int marker = markerLength(input, i, n);
            if (marker > 0) {
                i += marker;
            } else {
                out[d++] = input.charAt(i++);
            }
        }
        return new String(out, 0, d);
    }

    /** The length of the comment marker at {@code i}, 0 when there is none. */
    private static int markerLength(String s, int i, int n) {
        char c = s.charAt(i);
        char next = i + 1 < n ? s.charAt(i + 1) : 0;
        switch (c) {
            case '/':
                return next == '*' ? 2 : 0;
            case '*':
                return next == '/' ? 2 : 0;
            case '<':
                return s.startsWith("!--", i + 1) ? 4 : 0;
            case '-':
                if (next != '-') {
                    return 0;
                }
                return i + 2 < n && s.charAt(i + 2) == '>' ? 3 : 2;
            case '#':
                return 1;
            default:
                return 0;
        }
    }
}
