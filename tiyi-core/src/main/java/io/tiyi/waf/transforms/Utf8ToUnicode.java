package io.tiyi.waf.transforms;

/**
 * {@code t:utf8toUnicode}: replaces each UTF-8 sequence of two to four bytes with its code point in
 * the {@code %uXXXX} notation, as ModSecurity does, so that {@link UrlDecodeUni} can fold it next.
 *
 * <p>Example: {@code t:utf8toUnicode} turns the bytes C3 A9 3C EF BC 9C (UTF-8 for an e with acute
 * accent, {@code <} and a full-width {@code <}) into {@code %u00e9<%uff1c}.
 *
 * <p>Hex digits are lower case and padded to at least four; code points above U+FFFF take five or
 * six digits ({@code %u1f600}). Bytes below 0x80 are copied as they are.
 *
 * <p>Edge cases: a sequence is converted when its lead byte is followed by the right number of
 * continuation bytes (10xxxxxx), as in ModSecurity, which does not reject overlong forms or
 * surrogates: C0 AF becomes {@code %u002f} and ED A0 80 becomes {@code %ud800}. Bytes that do not
 * start such a sequence (a stray continuation byte, F8-FF, a lead byte cut short or followed by a
 * non-continuation byte) are kept as they are; ModSecurity drops some of them, which could join the
 * bytes around them into a keyword, and Coraza writes U+FFFD. NUL is kept.
 */
final class Utf8ToUnicode implements Transformation {

    Utf8ToUnicode() {
    }

    @Override
    public String name() {
        return "utf8toUnicode";
    }

    @Override
    public String apply(String input) {
        int n = input.length();
        int i = 0;
        while (i < n && input.charAt(i) < 0x80) {
            i++;
        }
        if (i == n) {
            return input;
        }
        StringBuilder out = null;
        int copiedUpTo = 0;
        while (i < n) {
            char c = input.charAt(i);
            int length;
            int codePoint;
            if (c < 0x80) {
                i++;
                continue;
            } else if ((c & 0xE0) == 0xC0) {
                length = 2;
                codePoint = c & 0x1F;
            } else if ((c & 0xF0) == 0xE0) {
                length = 3;
                codePoint = c & 0x0F;
            } else if ((c & 0xF8) == 0xF0) {
                length = 4;
                codePoint = c & 0x07;
            } else {
                i++;
                continue;
            }
            if (i + length > n) {
                i++;
                continue;
            }
            boolean valid = true;
            for (int k = 1; k < length; k++) {
                char cont = input.charAt(i + k);
                if ((cont & 0xC0) != 0x80) {
                    valid = false;
                    break;
                }
                codePoint = (codePoint << 6) | (cont & 0x3F);
            }
            if (!valid) {
                i++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(n + n / 2 + 8);
            }
            out.append(input, copiedUpTo, i).append('%').append('u');
            String hex = Integer.toHexString(codePoint);
            for (int pad = hex.length(); pad < 4; pad++) {
                out.append('0');
            }
            out.append(hex);
            i += length;
            copiedUpTo = i;
        }
        if (out == null) {
            return input;
        }
        return out.append(input, copiedUpTo, n).toString();
    }
}
