package io.tiyi.waf.transforms;

/**
 * {@code t:cmdLine}: normalizes a Windows or Unix command line, to defeat the usual command
 * injection evasions (as ModSecurity and Coraza do).
 *
 * <p>Example: {@code t:cmdLine} turns {@code C^ommand /c "DiR" ,;  c:\} into
 * {@code command/c dir c:}.
 *
 * <ul>
 *   <li>deletes {@code \ " ' ^};</li>
 *   <li>turns spaces, tabs, CR, LF, {@code ,} and {@code ;} into a space, one for a run of them;</li>
 *   <li>deletes that space when it comes right before {@code /} or {@code (};</li>
 *   <li>lowercases A-Z.</li>
 * </ul>
 *
 * <p>Edge cases: deleted bytes do not end a run of spaces ({@code a ^ b} gives {@code a b}); a
 * leading or trailing space is kept (one); \v and \f are ordinary bytes here, as in ModSecurity.
 */
final class CmdLine implements Transformation {

    CmdLine() {
    }

    @Override
    public String name() {
        return "cmdLine";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        int i = 0;
        // Up to the first byte that could change. A space is fine unless a second one, a '/' or a
        // '(' follows it; the main loop handles it from there.
        while (i < n) {
            char c = input.charAt(i);
            if (c == ' ') {
                if (i + 1 < n) {
                    char next = input.charAt(i + 1);
                    if (next == '/' || next == '(' || isSpaceLike(next) || isDeleted(next)) {
                        break;
                    }
                }
            } else if (isSpaceLike(c) || isDeleted(c) || (c >= 'A' && c <= 'Z')) {
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
        boolean space = false;
        for (; i < n; i++) {
            char c = input.charAt(i);
            if (isDeleted(c)) {
                continue;
            }
            if (isSpaceLike(c)) {
                if (!space) {
                    out[d++] = ' ';
                    space = true;
                }
                continue;
            }
            if ((c == '/' || c == '(') && space) {
                d--;
            } else if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            out[d++] = c;
            space = false;
        }
        String result = new String(out, 0, d);
        return result.equals(input) ? input : result;
    }

    private static boolean isDeleted(char c) {
        return c == '\\' || c == '"' || c == '\'' || c == '^';
    }

    private static boolean isSpaceLike(char c) {
        return c == ' ' || c == ',' || c == ';' || c == '\t' || c == '\r' || c == '\n';
    }
}
