package io.tiyi.waf.transforms;

import static io.tiyi.waf.transforms.ByteChars.hexByte;
import static io.tiyi.waf.transforms.ByteChars.isHex;
import static io.tiyi.waf.transforms.ByteChars.isOctal;

/**
 * {@code t:escapeSeqDecode}: decodes ANSI C escape sequences, as ModSecurity and Coraza do.
 *
 * <p>Example: {@code t:escapeSeqDecode} turns {@code \x3cscript\076\n} into {@code <script>} and a
 * newline.
 *
 * <ul>
 *   <li>{@code \a \b \f \n \r \t \v \\ \? \' \"}: the byte they stand for.</li>
 *   <li>{@code \xHH} or {@code \XHH}: the byte HH (exactly two hex digits).</li>
 *   <li>{@code \O}, {@code \OO}, {@code \OOO}: one to three octal digits, the low byte of the value
 *       ({@code \101} gives {@code A}; {@code \777} gives 0xFF).</li>
 * </ul>
 *
 * <p>Edge cases: any other escaped byte, and an {@code \x} without two hex digits, drops the
 * backslash only ({@code \z} gives {@code z}, {@code \x4} gives {@code x4}); a backslash at the end
 * is kept.
 */
final class EscapeSeqDecode implements Transformation {

    EscapeSeqDecode() {
    }

    @Override
    public String name() {
        return "escapeSeqDecode";
    }

    @Override
    public String apply(String input) {
        int i = input.indexOf('\\');
        if (i < 0 || i == input.length() - 1) {
            // No backslash, or only one at the very end, which is kept.
            return input;
        }
        int n = input.length();
        char[] out = new char[n];
        input.getChars(0, i, out, 0);
        int d = i;
        while (i < n) {
            char c = input.charAt(i);
            if (c != '\\' || i + 1 >= n) {
                out[d++] = c;
                i++;
                continue;
            }
            char e = input.charAt(i + 1);
            if ((e == 'x' || e == 'X') && i + 3 < n && isHex(input.charAt(i + 2)) && isHex(input.charAt(i + 3))) {
                out[d++] = hexByte(input.charAt(i + 2), input.charAt(i + 3));
                i += 4;
            } else if (isOctal(e)) {
                int j = i + 1;
                int limit = Math.min(n, j + 3);
                int value = 0;
                while (j < limit && isOctal(input.charAt(j))) {
                    value = value * 8 + (input.charAt(j) - '0');
                    j++;
                }
                out[d++] = (char) (value & 0xFF);
                i = j;
            } else {
                out[d++] = switch (e) {
                    case 'a' -> (char) 0x07;
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'v' -> (char) 0x0B;
                    // \\ \? \' \" and unknown escapes: the byte itself.
                    default -> e;
                };
                i += 2;
            }
        }
        return new String(out, 0, d);
    }
}
