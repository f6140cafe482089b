package io.tiyi.waf.operators;

/**
 * {@code @validateUtf8Encoding}: true when the value (bytes) is not valid UTF-8: truncated or
 * invalid sequences, overlong forms, surrogates, code points above U+10FFFF.
 */
final class ValidateUtf8Encoding implements Operator {
    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        int n = value.length();
        int i = 0;
        while (i < n) {
            int b = value.charAt(i) & 0xff;
            if (b < 0x80) {
                i++;
                continue;
            }
            int len;
            int cp;
            if (b >= 0xC2 && b <= 0xDF) {
                len = 2;
                cp = b & 0x1F;
            } else if (b >= 0xE0 && b <= 0xEF) {
                len = 3;
                cp = b & 0x0F;
            } else if (b >= 0xF0 && b <= 0xF4) {
                len = 4;
                cp = b & 0x07;
            } else {
                return true;
            }
            if (i + len > n) {
                return true;
            }
            for (int k = 1; k < len; k++) {
                int c = value.charAt(i + k) & 0xff;
                if ((c & 0xC0) != 0x80) {
                    return true;
                }
                cp = (cp << 6) | (c & 0x3F);
            }
            if (len == 3 && (cp < 0x800 || cp >= 0xD800 && cp <= 0xDFFF) || len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) {
                return true;
            }
            i += len;
        }
        return false;
    }
}
