package io.tiyi.waf.transforms;

import static io.tiyi.waf.transforms.ByteChars.hexByte;
import static io.tiyi.waf.transforms.ByteChars.isHex;

/**
 * {@code t:urlDecode}: decodes URL encoding, {@code %XX} to the byte XX and {@code +} to a space.
 *
 * <p>Example: {@code t:urlDecode} turns {@code a%20b+c%3d} into {@code a b c=}.
 *
 * <p>Edge cases (the lenient decoding of ModSecurity and Coraza): a {@code %} not followed by two hex
 * digits ({@code %zz}, {@code %4}, a trailing {@code %}) is kept as it is and decoding goes on with
 * the next byte; {@code %u} is not special here (see {@link UrlDecodeUni}); the result is decoded
 * once only, so {@code %2541} gives {@code %41}.
 */
final class UrlDecode implements Transformation {

    UrlDecode() {
    }

    @Override
    public String name() {
        return "urlDecode";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        int i = 0;
        while (i < n) {
            char c = input.charAt(i);
            if (c == '%' || c == '+') {
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
        boolean changed = false;
        while (i < n) {
            char c = input.charAt(i);
            if (c == '%' && i + 2 < n && isHex(input.charAt(i + 1)) && isHex(input.charAt(i + 2))) {
                out[d++] = hexByte(input.charAt(i + 1), input.charAt(i + 2));
                i += 3;
                changed = true;
            } else if (c == '+') {
                out[d++] = ' ';
                i++;
                changed = true;
            } else {
                out[d++] = c;
                i++;
            }
        }
        return changed ? new String(out, 0, d) : input;
    }
}
