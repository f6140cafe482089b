package io.tiyi.waf.injection;

/**
 * What {@link Html5Tokenizer} stands on: the input, position and current token of one pass, the
 * blank and letter tests of the C code, and the states of markup declarations, comments, CDATA
 * and doctypes ({@code <!…>}, {@code <?…>}, {@code <%…%>}), which end in the data state.
 */
abstract class Html5Scanner {
    /** The states the tokenizer can stop in between two tokens. */
    enum State {
        EOF,
        DATA,
        TAG_OPEN,
        TAG_NAME_CLOSE,
        BEFORE_ATTRIBUTE_NAME,
        AFTER_ATTRIBUTE_NAME,
        SELF_CLOSING_START_TAG,
        BEFORE_ATTRIBUTE_VALUE,
        AFTER_ATTRIBUTE_VALUE_QUOTED,
        VALUE_SINGLE_QUOTE,
        VALUE_DOUBLE_QUOTE,
        VALUE_BACK_QUOTE
    }

    static final int END = -1;

    final String s;
    final int len;

    State state;
    int pos;
    /** Set by {@code </}: the tag name that follows is an end tag's. */
    boolean isClose;

    Html5TokenType tokenType;
    int tokenStart;
    int tokenLength;

    Html5Scanner(String input) {
        this.s = input;
        this.len = input.length();
    }

    /** Blank as the C code's {@code h5_is_white}: space, \t \n \v \f \r, and NUL (see the class comment). */
    static boolean isWhite(char ch) {
        return ch == ' ' || (ch >= '\t' && ch <= '\r') || ch == 0;
    }

    static boolean isAsciiLetter(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    }

    /** Skips blanks and NULs; returns the char then at {@link #pos}, or {@link #END}. */
    final int skipWhite() {
        while (pos < len) {
            char ch = s.charAt(pos);
            if (!isWhite(ch)) {
                return ch;
            }
            pos++;
        }
        return END;
    }

    final boolean token(Html5TokenType type, int start, int length, State then) {
        tokenType = type;
        tokenStart = start;
        tokenLength = length;
        state = then;
        return true;
    }

    /** A comment up to the next {@code >}: {@code <?...>}, {@code </ ...>}, {@code <!...>}. */
    final boolean bogusComment() {
        int gt = s.indexOf('>', pos);
        if (gt < 0) {
            token(Html5TokenType.TAG_COMMENT, pos, len - pos, State.EOF);
            pos = len;
        } else {
            token(Html5TokenType.TAG_COMMENT, pos, gt - pos, State.DATA);
            pos = gt + 1;
        }
        return true;
    }

    /** A comment up to the next {@code %>}. */
    final boolean percentComment() {
        int from = pos;
        while (true) {
            int percent = s.indexOf('%', from);
            if (percent < 0 || percent + 1 >= len) {
                token(Html5TokenType.TAG_COMMENT, pos, len - pos, State.EOF);
                pos = len;
                return true;
            }
            if (s.charAt(percent + 1) == '>') {
                token(Html5TokenType.TAG_COMMENT, pos, percent - pos, State.DATA);
                pos = percent + 2;
                return true;
            }
            from = percent + 1;
        }
    }

    /** Just after {@code <!}: a doctype, a CDATA section, a comment or a bogus comment. */
    final boolean markupDeclarationOpen() {
        int remaining = len - pos;
        if (remaining >= 7 && asciiLowerMatches(pos, "doctype")) {
            return doctype();
        }
        if (remaining >= 7 && s.startsWith("[CDATA[", pos)) {
            pos += 7;
            return cdata();
        }
        if (remaining >= 2 && s.charAt(pos) == '-' && s.charAt(pos + 1) == '-') {
            pos += 2;
            return comment();
        }
        return bogusComment();
    }

    /** Whether the input at {@code at} spells {@code lowerWord} (ASCII letters only), ignoring case. */
    final boolean asciiLowerMatches(int at, String lowerWord) {
        for (int i = 0; i < lowerWord.length(); i++) {
            if ((s.charAt(at + i) | 0x20) != lowerWord.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The body of a {@code <!--} comment: it ends at {@code -->} or {@code -!>} (NULs allowed after the first dash),
     * or at the end of the input.
     */
    final boolean comment() {
        int from = pos;
        while (true) {
            int dash = s.indexOf('-', from);
            if (dash < 0 || dash > len - 3) {
                return commentToEnd();
            }
            int at = dash + 1;
            while (at < len && s.charAt(at) == 0) {
                at++;
            }
            if (at == len) {
                return commentToEnd();
            }
            char ch = s.charAt(at);
            if (ch != '-' && ch != '!') {
                from = dash + 1;
                continue;
            }
            at++;
            if (at == len) {
                return commentToEnd();
            }
            if (s.charAt(at) != '>') {
                from = dash + 1;
                continue;
            }
            token(Html5TokenType.TAG_COMMENT, pos, dash - pos, State.DATA);
            pos = at + 1;
            return true;
        }
    }

    final boolean commentToEnd() {
        return token(Html5TokenType.TAG_COMMENT, pos, len - pos, State.EOF);
    }

    /** The content of {@code <![CDATA[...]]>}, as text. */
    final boolean cdata() {
        int from = pos;
        while (true) {
            int bracket = s.indexOf(']', from);
            if (bracket < 0 || bracket > len - 3) {
                return token(Html5TokenType.DATA_TEXT, pos, len - pos, State.EOF);
            }
            if (s.charAt(bracket + 1) == ']' && s.charAt(bracket + 2) == '>') {
                token(Html5TokenType.DATA_TEXT, pos, bracket - pos, State.DATA);
                pos = bracket + 3;
                return true;
            }
            from = bracket + 1;
        }
    }

    /** {@code <!DOCTYPE ...>}: the token starts at the word {@code DOCTYPE}. */
    final boolean doctype() {
        int gt = s.indexOf('>', pos);
        if (gt < 0) {
            return token(Html5TokenType.DOCTYPE, pos, len - pos, State.EOF);
        }
        token(Html5TokenType.DOCTYPE, pos, gt - pos, State.DATA);
        pos = gt + 1;
        return true;
    }
}
