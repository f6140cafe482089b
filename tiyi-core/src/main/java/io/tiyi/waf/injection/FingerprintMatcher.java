package io.tiyi.waf.injection;

import static io.tiyi.waf.injection.SqlToken.BAREWORD;
import static io.tiyi.waf.injection.SqlToken.COMMENT;
import static io.tiyi.waf.injection.SqlToken.KEYWORD;
import static io.tiyi.waf.injection.SqlToken.NONE;
import static io.tiyi.waf.injection.SqlToken.NUMBER;
import static io.tiyi.waf.injection.SqlToken.UNION;

/**
 * Decides whether a fingerprint is SQLi: it must be a known SQLi fingerprint and must not be one
 * of the short shapes that libinjection lets through because plain text produces them too
 * (libinjection's blacklist and not-whitelist).
 */
final class FingerprintMatcher {
    private FingerprintMatcher() {}

    static boolean isSqli(SqliTables tables, Fingerprint fp) {
        return !fp.value.isEmpty() && tables.isKnownFingerprint(fp.value) && !isLikelyBenign(fp);
    }

    private static boolean isLikelyBenign(Fingerprint fp) {
        String value = fp.value;
        SqlToken[] t = fp.tokens;
        int n = value.length();

        // SQL Server leaves statements mentioning sp_password out of its audit log, so attackers
        // add it in a trailing comment: such input is SQLi whatever its shape.
        if (n > 1 && value.charAt(n - 1) == COMMENT && fp.input.contains("sp_password")) {
            return false;
        }

        if (n == 2) {
            if (value.charAt(1) == UNION) {
                // "1 union" is common text; only folding or comments around it make it suspect.
                return fp.statsTokens == 2;
            }
            // '#' comments end too much plain text.
            if (t[1].charAt(0) == '#') {
                return true;
            }
            // "word --" is text; "word /*" is not.
            if (t[0].type == BAREWORD && t[1].type == COMMENT && t[1].charAt(0) != '/') {
                return true;
            }
            if (t[0].type == NUMBER && t[1].type == COMMENT) {
                if (t[1].charAt(0) == '/') {
                    return false;
                }
                if (fp.statsTokens > 2) {
                    // Tokens were folded away (as in 1*1--): an attack, not a value.
                    return false;
                }
                // Base64-like values such as 1234-ABCD--x also read as number + comment; only a
                // real number followed by white space, "/*" or "--" counts. libinjection looks at
                // the input at the number's length, whatever the number's position.
                int at = t[0].len();
                char next = byteAt(fp.input, at);
                if (next <= 32 || next >= 128) {
                    // C compares a signed char: bytes from 0x80 count as white space here.
                    return false;
                }
                char after = byteAt(fp.input, at + 1);
                if ((next == '/' && after == '*') || (next == '-' && after == '-')) {
                    return false;
                }
                return true;
            }
            // "--" followed by text is prose; a bare trailing "--" is a scan.
            if (t[1].len() > 2 && t[1].charAt(0) == '-') {
                return true;
            }
            return false;
        }

        if (n == 3) {
            if (value.equals("sos") || value.equals("s&s")) {
                // foo' + 'bar: both strings open into the surrounding quote context.
                return !(t[0].strOpen == NONE && t[2].strClose == NONE && t[0].strClose == t[2].strOpen);
            }
            if (value.equals("s&n") || value.equals("n&1") || value.equals("1&1") || value.equals("1&v")
                    || value.equals("1&s")) {
                // "sexy and 17" is text; "sexy and 17<18" folds further and is not.
                return fp.statsTokens == 3;
            }
            if (t[1].type == KEYWORD) {
                // Only MySQL's INTO OUTFILE / INTO DUMPFILE make a keyword in the middle dangerous.
                return t[1].len() < 5 || !startsWithInto(t[1]);
            }
        }
        return false;
    }

    private static boolean startsWithInto(SqlToken t) {
        for (int i = 0; i < 4; i++) {
            char c = t.charAt(i);
            if (c >= 'a' && c <= 'z') {
                c -= 0x20;
            }
            if (c != "INTO".charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The input char at {@code i}, or NUL past its end as a C caller's terminator would give. */
    private static char byteAt(String s, int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }
}
