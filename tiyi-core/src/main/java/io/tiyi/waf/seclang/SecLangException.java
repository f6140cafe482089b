package io.tiyi.waf.seclang;

/** A rule file cannot be loaded; the message names the file, the line and what was expected. */
public final class SecLangException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SecLangException(String message) {
        super(message);
    }

    public SecLangException(String where, String message) {
        super(where + ": " + message);
    }
}
