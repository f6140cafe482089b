package io.tiyi.waf.injection;

import static io.tiyi.waf.injection.SqlToken.NONE;
import static io.tiyi.waf.injection.SqlToken.NUMBER;
import static io.tiyi.waf.injection.SqlToken.STRING;

/**
 * What {@link SqlTokenizer} stands on: the input and scan position of one pass, the string literal
 * routines (every quoting form libinjection knows: plain, E'', U&'', Oracle q'', N'', X'', B'') and
 * the C-style span searches they share with the rest of the tokenizer.
 */
abstract class SqlScanner {
    final SqliTables tables;
    final String s;
    final int slen;
    final int flags;

    int pos;
    SqlToken current;

    /** A word from {@code p}: string prefixes that turn out not to open a string read as words. */
    abstract int parseWord(int p);

    SqlScanner(SqliTables tables, String input, int flags) {
        this.tables = tables;
        this.s = input;
        this.slen = input.length();
        this.flags = flags;
    }

    /**
     * Reads a string whose text starts at {@code p + offset}; {@code offset} 0 means the opening
     * quote was only assumed. A quote escaped by an odd run of backslashes, or doubled, does not
     * end the string.
     */
    final int parseStringCore(int p, char delim, int offset) {
        int start = p + offset;
        int q = s.indexOf(delim, start);
        current.strOpen = offset > 0 ? delim : NONE;
        while (true) {
            if (q < 0) {
                current.assign(STRING, start, slen - start, s);
                current.strClose = NONE;
                return slen;
            } else if (isBackslashEscaped(q - 1, start)) {
                q = s.indexOf(delim, q + 1);
            } else if (q + 1 < slen && s.charAt(q + 1) == delim) {
                q = s.indexOf(delim, q + 2);
            } else {
                current.assign(STRING, start, q - start, s);
                current.strClose = delim;
                return q + 1;
            }
        }
    }

    final boolean isBackslashEscaped(int end, int start) {
        int i = end;
        while (i >= start && s.charAt(i) == '\\') {
            i--;
        }
        return ((end - i) & 1) == 1;
    }

    /** E'...' (PostgreSQL) and N'...' (MySQL national charset). */
    final int parseEString(int p) {
        if (p + 2 >= slen || s.charAt(p + 1) != '\'') {
            return parseWord(p);
        }
        return parseStringCore(p, '\'', 2);
    }

    /** U&'...' (unicode string). */
    final int parseUString(int p) {
        if (p + 2 < slen && s.charAt(p + 1) == '&' && s.charAt(p + 2) == '\'') {
            int next = parseStringCore(p + 2, '\'', 1);
            current.strOpen = 'u';
            if (current.strClose == '\'') {
                current.strClose = 'u';
            }
            return next;
        }
        return parseWord(p);
    }

    /** Oracle's q'Xtext X' strings, where X is any printable char and brackets pair up. */
    final int parseQString(int p, int offset) {
        int q = p + offset;
        if (q >= slen || (s.charAt(q) != 'q' && s.charAt(q) != 'Q') || q + 2 >= slen
                || s.charAt(q + 1) != '\'') {
            return parseWord(p);
        }
        char ch = s.charAt(q + 2);
        // C compares a signed char, so bytes from 0x80 up are below 33 too.
        if (ch < 33 || ch > 127) {
            return parseWord(p);
        }
        switch (ch) {
            case '(':
                ch = ')';
                break;
            case '[':
                ch = ']';
                break;
            case '{':
                ch = '}';
                break;
            case '<':
                ch = '>';
                break;
            default:
                break;
        }
        return stringUntilPair(q + 3, ch, '\'', 'q');
    }

    /**
     * A string token from {@code start} up to the pair {@code c0 c1} that closes it, or to the end
     * of the input when it is unterminated; {@code quote} marks how it opened (and closed).
     * Returns the position after the closing pair.
     */
    final int stringUntilPair(int start, char c0, char c1, char quote) {
        int end = indexOfPair(start, slen, c0, c1);
        current.strOpen = quote;
        if (end < 0) {
            current.assign(STRING, start, slen - start, s);
            current.strClose = NONE;
            return slen;
        }
        current.assign(STRING, start, end - start, s);
        current.strClose = quote;
        return end + 2;
    }

    final int parseNQString(int p) {
        if (p + 2 < slen && s.charAt(p + 1) == '\'') {
            return parseEString(p);
        }
        return parseQString(p, 1);
    }

    /** x'hex' and b'bits' literals, numbers when well formed and words otherwise. */
    final int parseLiteralString(int p, String digits) {
        if (p + 2 >= slen || s.charAt(p + 1) != '\'') {
            return parseWord(p);
        }
        int n = span(p + 2, digits);
        if (p + 2 + n >= slen || s.charAt(p + 2 + n) != '\'') {
            return parseWord(p);
        }
        current.assign(NUMBER, p, n + 3, s);
        return p + n + 3;
    }

    /** Length of the run from {@code p} of chars in {@code accept} (NUL included, as in C). */
    final int span(int p, String accept) {
        int i = p;
        while (i < slen) {
            char c = s.charAt(i);
            if (c != '\0' && accept.indexOf(c) < 0) {
                break;
            }
            i++;
        }
        return i - p;
    }

    /** Length of the run from {@code p} of chars not in {@code stop} (NUL included, as in C). */
    final int stopSpan(int p, String stop) {
        int i = p;
        while (i < slen) {
            char c = s.charAt(i);
            if (c == '\0' || stop.indexOf(c) >= 0) {
                break;
            }
            i++;
        }
        return i - p;
    }

    /** Index of the first {@code c0 c1} pair lying wholly in {@code [from, to)}, or -1. */
    final int indexOfPair(int from, int to, char c0, char c1) {
        for (int i = from; i + 1 < to; i++) {
            if (s.charAt(i) == c0 && s.charAt(i + 1) == c1) {
                return i;
            }
        }
        return -1;
    }

    /** Index from {@code from} of the next copy of {@code s[region, region + len)}, or -1. */
    final int indexOfRegion(int from, int region, int len) {
        for (int i = from; i + len <= slen; i++) {
            if (s.regionMatches(i, s, region, len)) {
                return i;
            }
        }
        return -1;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** White space as MySQL reads it, with Latin-1 NBSP and Oracle's NUL. */
    static boolean isWhite(char c) {
        switch (c) {
            case ' ':
            case '\t':
            case '\n':
            case '\u000b':
            case '\f':
            case '\r':
            case '\u00a0':
            case '\0':
                return true;
            default:
                return false;
        }
    }
}
