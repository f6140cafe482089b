package io.tiyi.waf.injection;

/**
 * One SQL token: a type character (the letter that goes into the fingerprint) and its text.
 *
 * <p>Mutable on purpose: the folder rewrites a small fixed vector of tokens in place, as
 * libinjection does. A token never leaves the detection call that made it.
 */
final class SqlToken {
    /**
     * libinjection keeps at most 31 bytes of a token's text. The limit is part of the algorithm:
     * keyword lookups and word merges see only the kept text.
     */
    static final int MAX_VALUE = 31;

    static final char NONE = '\0';
    static final char KEYWORD = 'k';
    static final char UNION = 'U';
    static final char GROUP = 'B';
    static final char EXPRESSION = 'E';
    static final char SQLTYPE = 't';
    static final char FUNCTION = 'f';
    static final char BAREWORD = 'n';
    static final char NUMBER = '1';
    static final char VARIABLE = 'v';
    static final char STRING = 's';
    static final char OPERATOR = 'o';
    static final char LOGIC_OPERATOR = '&';
    static final char COMMENT = 'c';
    static final char COLLATE = 'A';
    static final char LEFTPARENS = '(';
    static final char RIGHTPARENS = ')';
    static final char LEFTBRACE = '{';
    static final char RIGHTBRACE = '}';
    static final char DOT = '.';
    static final char COMMA = ',';
    static final char COLON = ':';
    static final char SEMICOLON = ';';
    static final char TSQL = 'T';
    static final char UNKNOWN = '?';
    static final char EVIL = 'X';
    static final char BACKSLASH = '\\';

    char type;
    /** Where the token's text starts in the input. */
    int pos;
    String val = "";
    /** The quote that opened a string token, or {@link #NONE} when the quote was only assumed. */
    char strOpen;
    /** The quote that closed a string token, or {@link #NONE} when the input ended inside it. */
    char strClose;
    /** For variables, the number of leading {@code @}. */
    int count;

    void clear() {
        type = NONE;
        pos = 0;
        val = "";
        strOpen = NONE;
        strClose = NONE;
        count = 0;
    }

    /** Sets type and text from {@code s[from, from + len)}, keeping at most {@link #MAX_VALUE} chars. */
    void assign(char type, int from, int len, String s) {
        this.type = type;
        this.pos = from;
        this.val = s.substring(from, from + Math.min(len, MAX_VALUE));
    }

    void assign(char type, int pos, String value) {
        this.type = type;
        this.pos = pos;
        this.val = value.length() > MAX_VALUE ? value.substring(0, MAX_VALUE) : value;
    }

    void copyFrom(SqlToken o) {
        type = o.type;
        pos = o.pos;
        val = o.val;
        strOpen = o.strOpen;
        strClose = o.strClose;
        count = o.count;
    }

    int len() {
        return val.length();
    }

    /** The text's char at {@code i}, or NUL past its end (where libinjection's C string ends). */
    char charAt(int i) {
        return i < val.length() ? val.charAt(i) : NONE;
    }

    /** Whether the text equals an upper-case word, ignoring ASCII case. */
    boolean is(String upperWord) {
        int n = val.length();
        if (n != upperWord.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = val.charAt(i);
            if (c >= 'a' && c <= 'z') {
                c -= 0x20;
            }
            if (c != upperWord.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    boolean isUnaryOperator() {
        if (type != OPERATOR) {
            return false;
        }
        switch (val.length()) {
            case 1: {
                char c = val.charAt(0);
                return c == '+' || c == '-' || c == '!' || c == '~';
            }
            case 2:
                return val.charAt(0) == '!' && val.charAt(1) == '!';
            case 3:
                return is("NOT");
            default:
                return false;
        }
    }

    boolean isArithmeticOperator() {
        if (type != OPERATOR || val.length() != 1) {
            return false;
        }
        char c = val.charAt(0);
        return c == '*' || c == '/' || c == '-' || c == '+' || c == '%';
    }

    @Override
    public String toString() {
        return type + " " + val;
    }
}
