package io.tiyi.waf.injection;

import static io.tiyi.waf.injection.SqlToken.BACKSLASH;
import static io.tiyi.waf.injection.SqlToken.BAREWORD;
import static io.tiyi.waf.injection.SqlToken.COLLATE;
import static io.tiyi.waf.injection.SqlToken.COMMA;
import static io.tiyi.waf.injection.SqlToken.COMMENT;
import static io.tiyi.waf.injection.SqlToken.DOT;
import static io.tiyi.waf.injection.SqlToken.EVIL;
import static io.tiyi.waf.injection.SqlToken.EXPRESSION;
import static io.tiyi.waf.injection.SqlToken.FUNCTION;
import static io.tiyi.waf.injection.SqlToken.GROUP;
import static io.tiyi.waf.injection.SqlToken.KEYWORD;
import static io.tiyi.waf.injection.SqlToken.LEFTBRACE;
import static io.tiyi.waf.injection.SqlToken.LEFTPARENS;
import static io.tiyi.waf.injection.SqlToken.LOGIC_OPERATOR;
import static io.tiyi.waf.injection.SqlToken.NONE;
import static io.tiyi.waf.injection.SqlToken.NUMBER;
import static io.tiyi.waf.injection.SqlToken.OPERATOR;
import static io.tiyi.waf.injection.SqlToken.RIGHTBRACE;
import static io.tiyi.waf.injection.SqlToken.RIGHTPARENS;
import static io.tiyi.waf.injection.SqlToken.SEMICOLON;
import static io.tiyi.waf.injection.SqlToken.SQLTYPE;
import static io.tiyi.waf.injection.SqlToken.STRING;
import static io.tiyi.waf.injection.SqlToken.TSQL;
import static io.tiyi.waf.injection.SqlToken.UNION;
import static io.tiyi.waf.injection.SqlToken.VARIABLE;

/**
 * libinjection's folding: reduces the token stream to at most five tokens that carry its shape,
 * for example {@code 1+1} to one number and {@code UNION ALL} to one union, so that many
 * spellings of an attack share one fingerprint.
 *
 * <p>The folder works on a window of the token vector: tokens before {@code left} are settled,
 * tokens from {@code left} to {@code pos} are candidates for a two- or three-token rule. Rules
 * that shrink the window step back to the start so earlier tokens can fold again. The order and
 * the index arithmetic of the rules are libinjection's and decide fingerprints, so they are kept
 * exactly.
 */
final class SqlFolder {
    static final int MAX_TOKENS = 5;

    private final SqlTokenizer tokenizer;
    private final SqliTables tables;
    /** One more than {@link #MAX_TOKENS} is read to decide the type of the fifth; the rest is slack. */
    final SqlToken[] tokens = new SqlToken[8];
    private final SqlToken lastComment = new SqlToken();

    private int pos;
    private int left;
    private boolean more = true;

    SqlFolder(SqlTokenizer tokenizer, SqliTables tables) {
        this.tokenizer = tokenizer;
        this.tables = tables;
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = new SqlToken();
        }
    }

    /** Folds the input; returns how many of {@link #tokens} make the result. */
    int fold() {
        // Leading comments, '(' , SQL types and unary operators do not change what follows.
        while (more) {
            more = tokenizer.next(tokens[0]);
            SqlToken t = tokens[0];
            if (!(t.type == COMMENT || t.type == LEFTPARENS || t.type == SQLTYPE || t.isUnaryOperator())) {
                break;
            }
        }
        if (!more) {
            return 0;
        }
        pos = 1;

        while (true) {
            if (pos >= MAX_TOKENS) {
                restartOnLongPrefix();
            }
            if (!more || left >= MAX_TOKENS) {
                left = pos;
                break;
            }

            readUpTo(2);
            if (pos - left < 2) {
                left = pos;
                continue;
            }
            int r = foldTwo();
            if (r == AGAIN) {
                continue;
            }
            if (r == END) {
                return left + 2;
            }

            readUpTo(3);
            if (pos - left < 3) {
                left = pos;
                continue;
            }
            if (foldThree()) {
                continue;
            }
            left++;
        }

        // A trailing comment is kept when there is room for it.
        if (left < MAX_TOKENS && lastComment.type == COMMENT) {
            tokens[left].copyFrom(lastComment);
            left++;
        }
        return Math.min(left, MAX_TOKENS);
    }

    /**
     * Some five-token shapes are common in benign input ({@code 1,(1)}, {@code n=(n)}); they are
     * collapsed to their first token (keeping a sixth one read ahead) so folding goes on.
     */
    private void restartOnLongPrefix() {
        char t0 = tokens[0].type;
        char t1 = tokens[1].type;
        char t2 = tokens[2].type;
        char t3 = tokens[3].type;
        char t4 = tokens[4].type;
        boolean collapse =
                (t0 == NUMBER && (t1 == OPERATOR || t1 == COMMA) && t2 == LEFTPARENS && t3 == NUMBER
                                && t4 == RIGHTPARENS)
                        || (t0 == BAREWORD && t1 == OPERATOR && t2 == LEFTPARENS
                                && (t3 == BAREWORD || t3 == NUMBER) && t4 == RIGHTPARENS)
                        || (t0 == NUMBER && t1 == RIGHTPARENS && t2 == COMMA && t3 == LEFTPARENS
                                && t4 == NUMBER)
                        || (t0 == BAREWORD && t1 == RIGHTPARENS && t2 == OPERATOR && t3 == LEFTPARENS
                                && t4 == BAREWORD);
        if (!collapse) {
            return;
        }
        if (pos > MAX_TOKENS) {
            tokens[1].copyFrom(tokens[MAX_TOKENS]);
            pos = 2;
        } else {
            pos = 1;
        }
        left = 0;
    }

    /** Reads tokens until the window holds {@code n}; comments are set aside, not counted. */
    private void readUpTo(int n) {
        while (more && pos <= MAX_TOKENS && pos - left < n) {
            SqlToken t = tokens[pos];
            more = tokenizer.next(t);
            if (more) {
                if (t.type == COMMENT) {
                    lastComment.copyFrom(t);
                } else {
                    lastComment.type = NONE;
                    pos++;
                }
            }
        }
    }

    private static final int NO_MATCH = 0;
    private static final int AGAIN = 1;
    private static final int END = 2;

    private int foldTwo() {
        SqlToken a = tokens[left];
        SqlToken b = tokens[left + 1];

        if (a.type == STRING && b.type == STRING) {
            // 'a' 'b' is one string in SQL.
            pos--;
            return AGAIN;
        } else if (a.type == SEMICOLON && b.type == SEMICOLON) {
            pos--;
            return AGAIN;
        } else if ((a.type == OPERATOR || a.type == LOGIC_OPERATOR)
                && (b.isUnaryOperator() || b.type == SQLTYPE)) {
            pos--;
            left = 0;
            return AGAIN;
        } else if (a.type == LEFTPARENS && b.isUnaryOperator()) {
            pos--;
            if (left > 0) {
                left--;
            }
            return AGAIN;
        } else if (mergeWords(a, b)) {
            pos--;
            if (left > 0) {
                left--;
            }
            return AGAIN;
        } else if (a.type == SEMICOLON && b.type == FUNCTION
                && (b.charAt(0) == 'I' || b.charAt(0) == 'i')
                && (b.charAt(1) == 'F' || b.charAt(1) == 'f')) {
            // After ';' IF starts a Transact-SQL statement rather than calling IF().
            b.type = TSQL;
            return AGAIN;
        } else if ((a.type == BAREWORD || a.type == VARIABLE) && b.type == LEFTPARENS
                && isFunctionLikeName(a)) {
            a.type = FUNCTION;
            return AGAIN;
        } else if (a.type == KEYWORD && (a.is("IN") || a.is("NOT IN"))) {
            // IN ( is a comparison; IN elsewhere (IN BOOLEAN MODE) is just a word.
            a.type = b.type == LEFTPARENS ? OPERATOR : BAREWORD;
            return AGAIN;
        } else if (a.type == OPERATOR && (a.is("LIKE") || a.is("NOT LIKE"))) {
            if (b.type == LEFTPARENS) {
                a.type = FUNCTION;
            }
            return NO_MATCH;
        } else if (a.type == SQLTYPE
                && (b.type == BAREWORD || b.type == NUMBER || b.type == SQLTYPE || b.type == LEFTPARENS
                        || b.type == FUNCTION || b.type == VARIABLE || b.type == STRING)) {
            a.copyFrom(b);
            pos--;
            left = 0;
            return AGAIN;
        } else if (a.type == COLLATE && b.type == BAREWORD) {
            // Too many collations to list: a name with '_' is taken for one.
            if (valueBeforeNul(b).indexOf('_') >= 0) {
                b.type = SQLTYPE;
                left = 0;
            }
            return NO_MATCH;
        } else if (a.type == BACKSLASH) {
            // Transact-SQL reads "\%1" as "0 % 1" and "\1" as "1".
            if (b.isArithmeticOperator()) {
                a.type = NUMBER;
            } else {
                a.copyFrom(b);
                pos--;
            }
            left = 0;
            return AGAIN;
        } else if (a.type == LEFTPARENS && b.type == LEFTPARENS) {
            pos--;
            left = 0;
            return AGAIN;
        } else if (a.type == RIGHTPARENS && b.type == RIGHTPARENS) {
            pos--;
            left = 0;
            return AGAIN;
        } else if (a.type == LEFTBRACE && b.type == BAREWORD) {
            // MySQL accepts "{ ``.``.id }" and nothing like it; rather than parse the degenerate
            // empty-name form it is flagged. Otherwise ODBC's "{foo expr}" folds to "expr".
            if (b.len() == 0) {
                b.type = EVIL;
                return END;
            }
            left = 0;
            pos -= 2;
            return AGAIN;
        } else if (b.type == RIGHTBRACE) {
            pos--;
            left = 0;
            return AGAIN;
        }
        return NO_MATCH;
    }

    private boolean foldThree() {
        SqlToken a = tokens[left];
        SqlToken b = tokens[left + 1];
        SqlToken c = tokens[left + 2];

        if (a.type == NUMBER && b.type == OPERATOR && c.type == NUMBER) {
            pos -= 2;
            left = 0;
            return true;
        } else if (a.type == OPERATOR && b.type != LEFTPARENS && c.type == OPERATOR) {
            left = 0;
            pos -= 2;
            return true;
        } else if (a.type == LOGIC_OPERATOR && c.type == LOGIC_OPERATOR) {
            pos -= 2;
            left = 0;
            return true;
        } else if (a.type == VARIABLE && b.type == OPERATOR
                && (c.type == VARIABLE || c.type == NUMBER || c.type == BAREWORD)) {
            pos -= 2;
            left = 0;
            return true;
        } else if ((a.type == BAREWORD || a.type == NUMBER) && b.type == OPERATOR
                && (c.type == NUMBER || c.type == BAREWORD)) {
            pos -= 2;
            left = 0;
            return true;
        } else if ((a.type == BAREWORD || a.type == NUMBER || a.type == VARIABLE || a.type == STRING)
                && b.type == OPERATOR && "::".equals(valueBeforeNul(b)) && c.type == SQLTYPE) {
            // PostgreSQL cast: x::type is x.
            pos -= 2;
            left = 0;
            return true;
        } else if ((a.type == BAREWORD || a.type == NUMBER || a.type == STRING || a.type == VARIABLE)
                && b.type == COMMA
                && (c.type == NUMBER || c.type == BAREWORD || c.type == STRING || c.type == VARIABLE)) {
            pos -= 2;
            left = 0;
            return true;
        } else if ((a.type == EXPRESSION || a.type == GROUP || a.type == COMMA) && b.isUnaryOperator()
                && c.type == LEFTPARENS) {
            // SELECT + ( : the sign changes nothing.
            b.copyFrom(c);
            pos--;
            left = 0;
            return true;
        } else if ((a.type == KEYWORD || a.type == EXPRESSION || a.type == GROUP) && b.isUnaryOperator()
                && (c.type == NUMBER || c.type == BAREWORD || c.type == VARIABLE || c.type == STRING
                        || c.type == FUNCTION)) {
            // SELECT - 1
            b.copyFrom(c);
            pos--;
            left = 0;
            return true;
        } else if (a.type == COMMA && b.isUnaryOperator()
                && (c.type == NUMBER || c.type == BAREWORD || c.type == VARIABLE || c.type == STRING)) {
            // ", -1" becomes ", 1", and stepping back lets "1,1" fold to "1".
            b.copyFrom(c);
            left = 0;
            pos -= 3;
            return true;
        } else if (a.type == COMMA && b.isUnaryOperator() && c.type == FUNCTION) {
            // ", -sin(1)" becomes ", sin(1)"; stepping back as above would leave "1 (1)".
            b.copyFrom(c);
            pos--;
            left = 0;
            return true;
        } else if (a.type == BAREWORD && b.type == DOT && c.type == BAREWORD) {
            // database.table
            pos -= 2;
            left = 0;
            return true;
        } else if (a.type == EXPRESSION && b.type == DOT && c.type == BAREWORD) {
            // SELECT . `foo` is SELECT `foo`.
            b.copyFrom(c);
            pos--;
            left = 0;
            return true;
        } else if (a.type == FUNCTION && b.type == LEFTPARENS && c.type != RIGHTPARENS) {
            // USER() takes no argument, so USER(x) is a column named user, not the function.
            if (a.is("USER")) {
                a.type = BAREWORD;
            }
        }
        return false;
    }

    /** Merges two words that together are a keyword phrase, such as UNION ALL or GROUP BY. */
    private boolean mergeWords(SqlToken a, SqlToken b) {
        if (!isMergeable(a.type)) {
            return false;
        }
        if (!isMergeable(b.type) && b.type != LOGIC_OPERATOR) {
            return false;
        }
        if (a.len() + b.len() + 1 > SqlToken.MAX_VALUE) {
            return false;
        }
        char type = tables.keywordPhrase(a.val, b.val);
        if (type == KeywordTable.NONE) {
            return false;
        }
        a.assign(type, a.pos, a.val + ' ' + b.val);
        return true;
    }

    private static boolean isMergeable(char type) {
        switch (type) {
            case KEYWORD:
            case BAREWORD:
            case OPERATOR:
            case UNION:
            case FUNCTION:
            case EXPRESSION:
            case TSQL:
            case SQLTYPE:
                return true;
            default:
                return false;
        }
    }

    /** Names that are columns as often as functions: functions only when a '(' follows. */
    private static boolean isFunctionLikeName(SqlToken t) {
        return t.is("USER_ID") || t.is("USER_NAME") || t.is("DATABASE") || t.is("PASSWORD")
                || t.is("USER") || t.is("CURRENT_USER") || t.is("CURRENT_DATE") || t.is("CURRENT_TIME")
                || t.is("CURRENT_TIMESTAMP") || t.is("LOCALTIME") || t.is("LOCALTIMESTAMP");
    }

    /** The text as libinjection's C string sees it: up to the first NUL. */
    static String valueBeforeNul(SqlToken t) {
        int nul = t.val.indexOf('\0');
        return nul < 0 ? t.val : t.val.substring(0, nul);
    }
}
