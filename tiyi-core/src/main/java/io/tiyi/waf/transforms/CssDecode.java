package io.tiyi.waf.transforms;

import static io.tiyi.waf.transforms.ByteChars.hexValue;
import static io.tiyi.waf.transforms.ByteChars.isHex;
import static io.tiyi.waf.transforms.ByteChars.isSpace;

/**
 * {@code t:cssDecode}: decodes CSS 2 escapes, as ModSecurity does.
 *
 * <p>Example: {@code t:cssDecode} turns {@code ja\vascript:\65 xpression(} into
 * {@code javascript:expression(}.
 *
 * <ul>
 *   <li>A backslash and one to six hex digits give one byte: the low byte of the value
 *       ({@code \3c} and {@code \00003c} give {@code <}, {@code \123} gives {@code #}), except that the
 *       full-width ASCII forms U+FF01-U+FF5E give the ASCII they stand for ({@code \ff1c} gives
 *       {@code <}). One whitespace byte right after the digits ends the escape and is dropped.</li>
 *   <li>A backslash before a newline removes both (a line continuation).</li>
 *   <li>A backslash before any other byte removes the backslash ({@code \'} gives {@code '}).</li>
 * </ul>
 *
 * <p>Edge cases: a backslash at the end is removed; at most six digits are read, so {@code \0000410}
 * gives {@code A} followed by {@code 0}.
 */
final class CssDecode implements Transformation {

    CssDecode() {
    }

    @Override
    public String name() {
        return "cssDecode";
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
        while (i < n) {
            char c = input.charAt(i);
            if (c != '\\') {
                out[d++] = c;
                i++;
                continue;
            }
            i++; // the backslash itself is never kept
            if (i >= n) {
                break;
            }
            int j = 0;
            int value = 0;
            while (j < 6 && i + j < n && isHex(input.charAt(i + j))) {
                value = (value << 4) | hexValue(input.charAt(i + j));
                j++;
            }
            if (j > 0) {
                out[d++] = value >= 0xFF01 && value <= 0xFF5E ? (char) (value - 0xFEE0) : (char) (value & 0xFF);
                if (i + j < n && isSpace(input.charAt(i + j))) {
                    j++;
                }
                i += j;
            } else if (input.charAt(i) == '\n') {
                i++;
            } else {
                out[d++] = input.charAt(i);
                i++;
            }
        }
        // Every backslash was dropped, so the input did change.
        return new String(out, 0, d);
    }
}
