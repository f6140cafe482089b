package io.tiyi.waf.injection;

import static io.tiyi.waf.injection.SqlToken.BACKSLASH;
import static io.tiyi.waf.injection.SqlToken.BAREWORD;
import static io.tiyi.waf.injection.SqlToken.COLON;
import static io.tiyi.waf.injection.SqlToken.COMMENT;
import static io.tiyi.waf.injection.SqlToken.DOT;
import static io.tiyi.waf.injection.SqlToken.EVIL;
import static io.tiyi.waf.injection.SqlToken.FUNCTION;
import static io.tiyi.waf.injection.SqlToken.NONE;
import static io.tiyi.waf.injection.SqlToken.NUMBER;
import static io.tiyi.waf.injection.SqlToken.OPERATOR;
import static io.tiyi.waf.injection.SqlToken.STRING;
import static io.tiyi.waf.injection.SqlToken.UNKNOWN;
import static io.tiyi.waf.injection.SqlToken.VARIABLE;

/**
 * libinjection's SQL tokenizer: splits a byte string into tokens the way a lenient SQL parser
 * would, in one of its dialect and quote contexts.
 *
 * <p>Holds the scan position and statistics of one pass over one input, so it is confined to the
 * calling thread. The char sets below mirror libinjection's C routines, including their treatment
 * of NUL: a span of "accepted" chars always accepts NUL and a span of "stop" chars always stops
 * on it, because the C code searches its sets with {@code strchr}, which finds the terminator.
 */
final class SqlTokenizer extends SqlScanner {
    static final int FLAG_QUOTE_NONE = 1;
    static final int FLAG_QUOTE_SINGLE = 2;
    static final int FLAG_QUOTE_DOUBLE = 4;
    static final int FLAG_SQL_ANSI = 8;
    static final int FLAG_SQL_MYSQL = 16;

    private static final String WORD_STOP = " []{}<>:\\?=@!#~+-*/&|^%(),';\t\n\u000b\f\r\"\u00a0";
    private static final String VAR_STOP = " <>:\\?=@!#~+-*/&|^%(),';\t\n\u000b\f\r'`\"";
    private static final String HEX_DIGITS = "0123456789ABCDEFabcdef";
    private static final String BIN_DIGITS = "01";
    private static final String MONEY_CHARS = "0123456789.,";
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";


    /** Tokens produced, including those the folder drops; the false-positive rules read it. */
    int statsTokens;
    /** {@code --x} comments seen in ANSI mode, which MySQL would read as two minus signs. */
    int statsCommentDdx;
    /** {@code #} seen, an operator in ANSI SQL but a comment in MySQL. */
    int statsCommentHash;

    SqlTokenizer(SqliTables tables, String input, int flags) {
        super(tables, input, flags);
    }

    /** Reads the next token into {@code token}; false (and a cleared token) at the end of input. */
    boolean next(SqlToken token) {
        current = token;
        if (slen == 0) {
            return false;
        }
        token.clear();

        // In a quote context the input is assumed to start inside a string: the first token is
        // the rest of that string.
        if (pos == 0 && (flags & (FLAG_QUOTE_SINGLE | FLAG_QUOTE_DOUBLE)) != 0) {
            char delim = (flags & FLAG_QUOTE_SINGLE) != 0 ? '\'' : '"';
            pos = parseStringCore(0, delim, 0);
            statsTokens++;
            return true;
        }

        while (pos < slen) {
            pos = parse(pos);
            if (token.type != NONE) {
                statsTokens++;
                return true;
            }
        }
        return false;
    }

    private int parse(int p) {
        switch (tables.charClass(s.charAt(p))) {
            case SqliTables.CHAR_WHITE:
                return p + 1;
            case SqliTables.CHAR_WORD:
                return parseWord(p);
            case SqliTables.CHAR_OP1:
            case SqliTables.CHAR_UNARY:
                return parseOperator1(p);
            case SqliTables.CHAR_OP2:
            case SqliTables.CHAR_BANG:
                return parseOperator2(p);
            case SqliTables.CHAR_BACK:
                return parseBackslash(p);
            case SqliTables.CHAR_DASH:
                return parseDash(p);
            case SqliTables.CHAR_STR:
                return parseStringCore(p, s.charAt(p), 1);
            case SqliTables.CHAR_HASH:
                return parseHash(p);
            case SqliTables.CHAR_NUM:
                return parseNumber(p);
            case SqliTables.CHAR_SLASH:
                return parseSlash(p);
            case SqliTables.CHAR_SEMICOLON:
            case SqliTables.CHAR_COMMA:
            case SqliTables.CHAR_LEFTPARENS:
            case SqliTables.CHAR_RIGHTPARENS:
            case SqliTables.CHAR_LEFTBRACE:
            case SqliTables.CHAR_RIGHTBRACE:
                // The char is its own token type.
                current.assign(s.charAt(p), p, 1, s);
                return p + 1;
            case SqliTables.CHAR_VAR:
                return parseVar(p);
            case SqliTables.CHAR_OTHER:
                current.assign(UNKNOWN, p, 1, s);
                return p + 1;
            case SqliTables.CHAR_MONEY:
                return parseMoney(p);
            case SqliTables.CHAR_TICK:
                return parseTick(p);
            case SqliTables.CHAR_USTRING:
                return parseUString(p);
            case SqliTables.CHAR_QSTRING:
                return parseQString(p, 0);
            case SqliTables.CHAR_NQSTRING:
                return parseNQString(p);
            case SqliTables.CHAR_XSTRING:
                return parseLiteralString(p, HEX_DIGITS);
            case SqliTables.CHAR_BSTRING:
                return parseLiteralString(p, BIN_DIGITS);
            case SqliTables.CHAR_ESTRING:
                return parseEString(p);
            case SqliTables.CHAR_BWORD:
                return parseBracketWord(p);
            default:
                throw new IllegalStateException("unknown char class");
        }
    }

    private int parseOperator1(int p) {
        current.assign(OPERATOR, p, 1, s);
        return p + 1;
    }

    private int parseOperator2(int p) {
        if (p + 1 >= slen) {
            return parseOperator1(p);
        }
        if (p + 2 < slen && s.charAt(p) == '<' && s.charAt(p + 1) == '=' && s.charAt(p + 2) == '>') {
            current.assign(OPERATOR, p, 3, s);
            return p + 3;
        }
        char type = tables.keyword(s, p, 2);
        if (type != KeywordTable.NONE) {
            current.assign(type, p, 2, s);
            return p + 2;
        }
        if (s.charAt(p) == ':') {
            current.assign(COLON, p, 1, s);
            return p + 1;
        }
        return parseOperator1(p);
    }

    private int parseEolComment(int p) {
        int end = s.indexOf('\n', p);
        if (end < 0) {
            current.assign(COMMENT, p, slen - p, s);
            return slen;
        }
        current.assign(COMMENT, p, end - p, s);
        return end + 1;
    }

    private int parseHash(int p) {
        statsCommentHash++;
        if ((flags & FLAG_SQL_MYSQL) != 0) {
            statsCommentHash++;
            return parseEolComment(p);
        }
        current.assign(OPERATOR, p, 1, s);
        return p + 1;
    }

    private int parseDash(int p) {
        // "--" then white space or the end is a comment everywhere; "--x" is a comment in ANSI SQL
        // but two minus signs in MySQL; a single '-' is an operator.
        if (p + 2 < slen && s.charAt(p + 1) == '-' && isWhite(s.charAt(p + 2))) {
            return parseEolComment(p);
        } else if (p + 2 == slen && s.charAt(p + 1) == '-') {
            return parseEolComment(p);
        } else if (p + 1 < slen && s.charAt(p + 1) == '-' && (flags & FLAG_SQL_ANSI) != 0) {
            statsCommentDdx++;
            return parseEolComment(p);
        }
        current.assign(OPERATOR, p, 1, s);
        return p + 1;
    }

    private int parseSlash(int p) {
        if (p + 1 == slen || s.charAt(p + 1) != '*') {
            return parseOperator1(p);
        }
        int close = indexOfPair(p + 2, slen, '*', '/');
        int clen = close < 0 ? slen - p : close + 2 - p;
        char type = COMMENT;
        // PostgreSQL nests comments and MySQL runs code in "/*!" comments: no single reading of
        // such input is reliable, so it is flagged as unparseable.
        if (close >= 0 && indexOfPair(p + 2, close + 1, '/', '*') >= 0) {
            type = EVIL;
        } else if (p + 2 < slen && s.charAt(p + 2) == '!') {
            type = EVIL;
        }
        current.assign(type, p, clen, s);
        return p + clen;
    }

    private int parseBackslash(int p) {
        // MySQL reads "\N" as NULL.
        if (p + 1 < slen && s.charAt(p + 1) == 'N') {
            current.assign(NUMBER, p, 2, s);
            return p + 2;
        }
        current.assign(BACKSLASH, p, 1, s);
        return p + 1;
    }

    /** SQL Server's [name]. */
    private int parseBracketWord(int p) {
        int end = s.indexOf(']', p);
        if (end < 0) {
            current.assign(BAREWORD, p, slen - p, s);
            return slen;
        }
        current.assign(BAREWORD, p, end - p + 1, s);
        return end + 1;
    }

    @Override
    int parseWord(int p) {
        int wlen = stopSpan(p, WORD_STOP);
        current.assign(BAREWORD, p, wlen, s);
        // "SELECT.1" or "SELECT`col`": a keyword before a '.' or '`' is a token of its own.
        String val = current.val;
        for (int i = 0; i < val.length(); i++) {
            char c = val.charAt(i);
            if (c == '.' || c == '`') {
                char type = tables.keyword(val, 0, i);
                if (type != KeywordTable.NONE && type != BAREWORD) {
                    current.clear();
                    current.assign(type, p, i, s);
                    return p + i;
                }
            }
        }
        if (wlen <= SqlToken.MAX_VALUE) {
            char type = tables.keyword(val);
            current.type = type == KeywordTable.NONE ? BAREWORD : type;
        }
        return p + wlen;
    }

    /** MySQL's `name`: a bare word, or a function when it names one. */
    private int parseTick(int p) {
        int next = parseStringCore(p, '`', 1);
        current.type = tables.keyword(current.val) == FUNCTION ? FUNCTION : BAREWORD;
        return next;
    }

    private int parseVar(int p) {
        int q = p + 1;
        if (q < slen && s.charAt(q) == '@') {
            q++;
            current.count = 2;
        } else {
            current.count = 1;
        }
        // MySQL allows @@`version` and quoted names.
        if (q < slen) {
            char c = s.charAt(q);
            if (c == '`') {
                int next = parseTick(q);
                current.type = VARIABLE;
                return next;
            } else if (c == '\'' || c == '"') {
                int next = parseStringCore(q, c, 1);
                current.type = VARIABLE;
                return next;
            }
        }
        int n = stopSpan(q, VAR_STOP);
        current.assign(VARIABLE, q, n, s);
        return q + n;
    }

    private int parseMoney(int p) {
        if (p + 1 == slen) {
            current.assign(BAREWORD, p, 1, s);
            return slen;
        }
        // $1,000.00 or $1.000,00 (and, leniently, $...,,1).
        int n = span(p + 1, MONEY_CHARS);
        if (n == 0) {
            if (s.charAt(p + 1) == '$') {
                // PostgreSQL $$text$$.
                return stringUntilPair(p + 2, '$', '$', '$');
            }
            // PostgreSQL $tag$text$tag$.
            n = span(p + 1, LETTERS);
            if (n == 0 || p + n + 1 == slen || s.charAt(p + n + 1) != '$') {
                current.assign(BAREWORD, p, 1, s);
                return p + 1;
            }
            int tagLen = n + 2;
            int start = p + tagLen;
            int end = indexOfRegion(start, p, tagLen);
            current.strOpen = '$';
            if (end < 0) {
                current.assign(STRING, start, slen - start, s);
                current.strClose = NONE;
                return slen;
            }
            current.assign(STRING, start, end - start, s);
            current.strClose = '$';
            return end + tagLen;
        } else if (n == 1 && s.charAt(p + 1) == '.') {
            return parseWord(p);
        }
        current.assign(NUMBER, p, n + 1, s);
        return p + n + 1;
    }

    private int parseNumber(int p) {
        if (s.charAt(p) == '0' && p + 1 < slen) {
            char x = s.charAt(p + 1);
            String digits = x == 'X' || x == 'x' ? HEX_DIGITS : x == 'B' || x == 'b' ? BIN_DIGITS : null;
            if (digits != null) {
                int n = span(p + 2, digits);
                // "0x" alone is a word.
                current.assign(n == 0 ? BAREWORD : NUMBER, p, n + 2, s);
                return p + n + 2;
            }
        }

        int start = p;
        while (p < slen && isDigit(s.charAt(p))) {
            p++;
        }
        if (p < slen && s.charAt(p) == '.') {
            p++;
            while (p < slen && isDigit(s.charAt(p))) {
                p++;
            }
            if (p - start == 1) {
                current.assign(DOT, start, 1, s);
                return p;
            }
        }

        boolean haveE = false;
        boolean haveExp = false;
        if (p < slen && (s.charAt(p) == 'E' || s.charAt(p) == 'e')) {
            haveE = true;
            p++;
            if (p < slen && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
                p++;
            }
            while (p < slen && isDigit(s.charAt(p))) {
                haveExp = true;
                p++;
            }
        }

        // Oracle's float/double suffix: "1.2f" but not the "1" of "123FROM"; "1fUNION" is "1f UNION".
        if (p < slen) {
            char c = s.charAt(p);
            if (c == 'd' || c == 'D' || c == 'f' || c == 'F') {
                if (p + 1 == slen) {
                    p++;
                } else {
                    char after = s.charAt(p + 1);
                    if (isWhite(after) || after == ';' || after == 'u' || after == 'U') {
                        p++;
                    }
                }
            }
        }

        // "1E" or "10.10e" without digits after the 'e' is a word (a database.table name).
        current.assign(haveE && !haveExp ? BAREWORD : NUMBER, start, p - start, s);
        return p;
    }

}
