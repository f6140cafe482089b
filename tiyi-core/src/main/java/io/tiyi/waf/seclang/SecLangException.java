package io.tiyi.waf.seclang;

/** A rule file cannot be loaded; the message names the file, the line and what was expected. */
public final class SecLangException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean quotesText;

    public SecLangException(String message) {
        this(message, true);
    }

    public SecLangException(String where, String message) {
        this(where + ": " + message, true);
    }

    private SecLangException(String message, boolean quotesText) {
        super(message);
        this.quotesText = quotesText;
    }

    /**
     * An error whose message repeats no rule text: only the place, fixed wording and, at most, a
     * path already checked to be inside an allowed directory. Safe for text the reader of the
     * message may not see.
     */
    public static SecLangException withoutText(String where, String message) {
        return new SecLangException(where + ": " + message, false);
    }

    /** Whether the message may repeat rule text (false for {@link #withoutText}). */
    public boolean quotesText() {
        return quotesText;
    }
}
