package io.tiyi.waf.transforms;

import static io.tiyi.waf.transforms.ByteChars.hexByte;
import static io.tiyi.waf.transforms.ByteChars.isHex;
import static io.tiyi.waf.transforms.ByteChars.isOctal;

/**
 * {@code t:jsDecode}: decodes JavaScript escape sequences, as ModSecurity and Coraza do.
 *
 * <p>Example: {@code t:jsDecode} turns {@code \x3cscript\076} into {@code <script>}, and
 * {@code \}{@code u003c} into {@code <}.
 *
 * <ul>
 *   <li>{@code \}{@code uHHHH}: one byte, the low byte of the code unit, except that the full-width
 *       ASCII forms U+FF01-U+FF5E give the ASCII they stand for (as {@link UrlDecodeUni}).</li>
 *   <li>{@code \xHH}: the byte HH.</li>
 *   <li>{@code \OOO}: one to three octal digits, one byte ({@code \74} and {@code \074} give
 *       {@code <}); a three-digit escape starting with 4-7 would not fit a byte, so only two digits
 *       are used ({@code \477} gives byte 047, {@code '}, followed by {@code 7}).</li>
 *   <li>{@code \a \b \f \n \r \t \v}: the control characters; any other escaped byte stands for
 *       itself ({@code \\ \' \" \/ \z} give {@code \ ' " / z}).</li>
 * </ul>
 *
 * <p>Edge cases: {@code u} and {@code x} are lower case only; an incomplete or invalid
 * {@code \}{@code u12} or {@code \xZ} drops the backslash only ({@code u12}, {@code xZ}); a
 * backslash at the end is kept.
 */
final class JsDecode implements Transformation {

    JsDecode() {
    }

    @Override
    public String name() {
        return "jsDecode";
    }

    @Override
    public String apply(String input) {
        int i = input.indexOf('\\');
        if (i < 0) {
            return input;
        }
        int n = input.length();
        char[] out = new char[n];
        input.getChars(0, i, out, 0);
        int d = i;
        boolean changed = false;
        while (i < n) {
            char c = input.charAt(i);
            if (c != '\\' || i + 1 >= n) {
                // A plain byte, or a backslash at the end, which is kept.
                out[d++] = c;
                i++;
                continue;
            }
            char e = input.charAt(i + 1);
            changed = true;
            if (e == 'u' && i + 5 < n
                    && isHex(input.charAt(i + 2)) && isHex(input.charAt(i + 3))
                    && isHex(input.charAt(i + 4)) && isHex(input.charAt(i + 5))) {
                out[d++] = UrlDecodeUni.unicodeToByte(input, i + 2);
                i += 6;
            } else if (e == 'x' && i + 3 < n && isHex(input.charAt(i + 2)) && isHex(input.charAt(i + 3))) {
                out[d++] = hexByte(input.charAt(i + 2), input.charAt(i + 3));
                i += 4;
            } else if (isOctal(e)) {
                int j = i + 1;
                int limit = Math.min(n, j + (e <= '3' ? 3 : 2));
                int value = 0;
                while (j < limit && isOctal(input.charAt(j))) {
                    value = value * 8 + (input.charAt(j) - '0');
                    j++;
                }
                out[d++] = (char) value;
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
                    default -> e;
                };
                i += 2;
            }
        }
        return changed ? new String(out, 0, d) : input;
    }
}
