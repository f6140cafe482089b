package io.tiyi.waf.injection;

/**
 * The forgiving HTML5 tokenizer of libinjection (libinjection_html5.c): a simplification of the WHATWG tokenizer that
 * never fails, tolerates the quirks old browsers accepted (NULs in tag names, back-quoted values, {@code <% %>}
 * comments) and can start inside an attribute value ({@link Html5Context}).
 *
 * <p>The input is a byte string: each char is one byte (0..255). Tokens are ranges of the input, never copies: read
 * them with {@link #tokenType()}, {@link #tokenStart()} and {@link #tokenLength()} after {@link #next()} returned
 * true. One instance tokenizes one input; {@link #reset} starts over in another context. Not thread-safe.
 *
 * <p>Kept from the C code on purpose, because XSS detection must agree with it byte for byte:
 * <ul>
 *   <li>NUL counts as a blank where the C code tests blanks with {@code strchr(" \t\n\v\f\r", ch)}, which matches the
 *       string's terminating NUL too (inside a tag name NULs are skipped before that test);</li>
 *   <li>an end tag with attributes or blanks ({@code </a >}) ends with a plain {@code >} that does not clear the
 *       end-tag flag, so the next {@code <name>} comes out as {@link Html5TokenType#TAG_CLOSE}.</li>
 * </ul>
 * Not kept: where the C code skips blanks it returns the byte as a (signed, on x86) {@code char} and compares it with
 * its end-of-input marker -1, so byte 0xFF ends the input there on such builds ({@code "\xff onerror=alert(1)"}
 * passes). Here 0xFF is an ordinary byte, as in builds where {@code char} is unsigned and in libinjection-go.
 *
 * <p>States that the C code chains by calling one another are plain method calls here, except the loop between "before
 * attribute name" and "self-closing start tag" ({@code <a/////...}), which is iterative so no input can recurse deeply.
 */
final class Html5Tokenizer extends Html5Scanner {
    Html5Tokenizer(String input, Html5Context context) {
        super(input);
        reset(context);
    }

    /** Starts over at the beginning of the input, as if it were inserted in {@code context}. */
    void reset(Html5Context context) {
        pos = 0;
        isClose = false;
        tokenType = null;
        tokenStart = 0;
        tokenLength = 0;
        state = switch (context) {
            case DATA_STATE -> State.DATA;
            case VALUE_NO_QUOTE -> State.BEFORE_ATTRIBUTE_NAME;
            case VALUE_SINGLE_QUOTE -> State.VALUE_SINGLE_QUOTE;
            case VALUE_DOUBLE_QUOTE -> State.VALUE_DOUBLE_QUOTE;
            case VALUE_BACK_QUOTE -> State.VALUE_BACK_QUOTE;
        };
    }

    /** Reads the next token; false at the end of the input. */
    boolean next() {
        return switch (state) {
            case EOF -> false;
            case DATA -> data();
            case TAG_OPEN -> tagOpen();
            case TAG_NAME_CLOSE -> tagNameClose();
            case BEFORE_ATTRIBUTE_NAME -> beforeAttributeName();
            case AFTER_ATTRIBUTE_NAME -> afterAttributeName();
            case SELF_CLOSING_START_TAG -> selfClosingStartTag();
            case BEFORE_ATTRIBUTE_VALUE -> beforeAttributeValue();
            case AFTER_ATTRIBUTE_VALUE_QUOTED -> afterAttributeValueQuoted();
            case VALUE_SINGLE_QUOTE -> quotedValue('\'');
            case VALUE_DOUBLE_QUOTE -> quotedValue('"');
            case VALUE_BACK_QUOTE -> quotedValue('`');
        };
    }

    Html5TokenType tokenType() {
        return tokenType;
    }

    /** Offset of the current token in the input. */
    int tokenStart() {
        return tokenStart;
    }

    int tokenLength() {
        return tokenLength;
    }

    /** The current token's text (a copy: for tests and diagnostics, not for the detection path). */
    String tokenText() {
        return s.substring(tokenStart, tokenStart + tokenLength);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Text up to the next {@code <}. */
    private boolean data() {
        int lt = s.indexOf('<', pos);
        if (lt < 0) {
            state = State.EOF;
            return pos < len && token(Html5TokenType.DATA_TEXT, pos, len - pos, State.EOF);
        }
        int start = pos;
        pos = lt + 1;
        state = State.TAG_OPEN;
        if (lt == start) {
            return tagOpen();
        }
        return token(Html5TokenType.DATA_TEXT, start, lt - start, State.TAG_OPEN);
    }

    /** Just after a {@code <}. */
    private boolean tagOpen() {
        if (pos >= len) {
            return false;
        }
        char ch = s.charAt(pos);
        switch (ch) {
            case '!':
                pos++;
                return markupDeclarationOpen();
            case '/':
                pos++;
                isClose = true;
                return endTagOpen();
            case '?':
                pos++;
                return bogusComment();
            case '%':
                // not in the spec: <% ... %> comments of IE <= 9 and Safari < 4.0.3
                pos++;
                return percentComment();
            default:
                if (isAsciiLetter(ch) || ch == 0) {
                    // NUL: an IE-ism, NULs are ignored
                    return tagName();
                }
                if (pos == 0) {
                    return data();
                }
                // not a tag: the '<' is text
                return token(Html5TokenType.DATA_TEXT, pos - 1, 1, State.DATA);
        }
    }

    /** Just after {@code </}. */
    private boolean endTagOpen() {
        if (pos >= len) {
            return false;
        }
        char ch = s.charAt(pos);
        if (ch == '>') {
            return data();
        }
        if (isAsciiLetter(ch)) {
            return tagName();
        }
        isClose = false;
        return bogusComment();
    }

    /** The {@code >} at {@link #pos} ends a start tag. */
    private boolean tagNameClose() {
        isClose = false;
        token(Html5TokenType.TAG_NAME_CLOSE, pos, 1, State.DATA);
        pos++;
        if (pos >= len) {
            state = State.EOF;
        }
        return true;
    }

    private boolean tagName() {
        for (int i = pos; i < len; i++) {
            char ch = s.charAt(i);
            if (ch == 0) {
                // old browsers allow and ignore NULs in tag names
                continue;
            }
            if (isWhite(ch)) {
                token(Html5TokenType.TAG_NAME_OPEN, pos, i - pos, State.BEFORE_ATTRIBUTE_NAME);
                pos = i + 1;
                return true;
            }
            if (ch == '/') {
                token(Html5TokenType.TAG_NAME_OPEN, pos, i - pos, State.SELF_CLOSING_START_TAG);
                pos = i + 1;
                return true;
            }
            if (ch == '>') {
                if (isClose) {
                    isClose = false;
                    token(Html5TokenType.TAG_CLOSE, pos, i - pos, State.DATA);
                    pos = i + 1;
                } else {
                    token(Html5TokenType.TAG_NAME_OPEN, pos, i - pos, State.TAG_NAME_CLOSE);
                    pos = i;
                }
                return true;
            }
        }
        return token(Html5TokenType.TAG_NAME_OPEN, pos, len - pos, State.EOF);
    }

    private boolean beforeAttributeName() {
        while (true) {
            int ch = skipWhite();
            switch (ch) {
                case END:
                    return false;
                case '/':
                    // the self-closing start tag state, inlined: it comes back here unless "/>" or the end
                    pos++;
                    if (pos >= len) {
                        return false;
                    }
                    if (s.charAt(pos) == '>') {
                        return selfClose();
                    }
                    continue;
                case '>':
                    token(Html5TokenType.TAG_NAME_CLOSE, pos, 1, State.DATA);
                    pos++;
                    return true;
                default:
                    return attributeName();
            }
        }
    }

    /** An attribute name starts at {@link #pos}; its first char is taken whatever it is (even {@code =}). */
    private boolean attributeName() {
        for (int i = pos + 1; i < len; i++) {
            char ch = s.charAt(i);
            if (isWhite(ch)) {
                token(Html5TokenType.ATTR_NAME, pos, i - pos, State.AFTER_ATTRIBUTE_NAME);
                pos = i + 1;
                return true;
            }
            if (ch == '/') {
                token(Html5TokenType.ATTR_NAME, pos, i - pos, State.SELF_CLOSING_START_TAG);
                pos = i + 1;
                return true;
            }
            if (ch == '=') {
                token(Html5TokenType.ATTR_NAME, pos, i - pos, State.BEFORE_ATTRIBUTE_VALUE);
                pos = i + 1;
                return true;
            }
            if (ch == '>') {
                token(Html5TokenType.ATTR_NAME, pos, i - pos, State.TAG_NAME_CLOSE);
                pos = i;
                return true;
            }
        }
        token(Html5TokenType.ATTR_NAME, pos, len - pos, State.EOF);
        pos = len;
        return true;
    }

    private boolean afterAttributeName() {
        int ch = skipWhite();
        switch (ch) {
            case END:
                return false;
            case '/':
                pos++;
                return selfClosingStartTag();
            case '=':
                pos++;
                return beforeAttributeValue();
            case '>':
                return tagNameClose();
            default:
                return attributeName();
        }
    }

    private boolean beforeAttributeValue() {
        int ch = skipWhite();
        switch (ch) {
            case END:
                state = State.EOF;
                return false;
            case '"':
                return quotedValue('"');
            case '\'':
                return quotedValue('\'');
            case '`':
                // not standard: IE
                return quotedValue('`');
            default:
                return unquotedValue();
        }
    }

    /**
     * A value quoted with {@code quote}. {@link #pos} is at the opening quote, or at 0 when the input starts inside
     * the value ({@link Html5Context}): then there is no quote to skip.
     */
    private boolean quotedValue(char quote) {
        if (pos > 0) {
            pos++;
        }
        int close = s.indexOf(quote, pos);
        if (close < 0) {
            return token(Html5TokenType.ATTR_VALUE, pos, len - pos, State.EOF);
        }
        token(Html5TokenType.ATTR_VALUE, pos, close - pos, State.AFTER_ATTRIBUTE_VALUE_QUOTED);
        pos = close + 1;
        return true;
    }

    private boolean unquotedValue() {
        for (int i = pos; i < len; i++) {
            char ch = s.charAt(i);
            if (isWhite(ch)) {
                token(Html5TokenType.ATTR_VALUE, pos, i - pos, State.BEFORE_ATTRIBUTE_NAME);
                pos = i + 1;
                return true;
            }
            if (ch == '>') {
                token(Html5TokenType.ATTR_VALUE, pos, i - pos, State.TAG_NAME_CLOSE);
                pos = i;
                return true;
            }
        }
        return token(Html5TokenType.ATTR_VALUE, pos, len - pos, State.EOF);
    }

    private boolean afterAttributeValueQuoted() {
        if (pos >= len) {
            return false;
        }
        char ch = s.charAt(pos);
        if (isWhite(ch)) {
            pos++;
            return beforeAttributeName();
        }
        if (ch == '/') {
            pos++;
            return selfClosingStartTag();
        }
        if (ch == '>') {
            token(Html5TokenType.TAG_NAME_CLOSE, pos, 1, State.DATA);
            pos++;
            return true;
        }
        // an attribute name right after the closing quote
        return beforeAttributeName();
    }

    /** Just after a {@code /} inside a tag. */
    private boolean selfClosingStartTag() {
        if (pos >= len) {
            return false;
        }
        if (s.charAt(pos) == '>') {
            return selfClose();
        }
        return beforeAttributeName();
    }

    /** The {@code >} at {@link #pos} follows a {@code /}: the token is the two chars {@code />}. */
    private boolean selfClose() {
        if (pos == 0) {
            // cannot happen: the C code reports an error here
            state = State.EOF;
            return false;
        }
        token(Html5TokenType.TAG_NAME_SELFCLOSE, pos - 1, 2, State.DATA);
        pos++;
        return true;
    }

}
