package io.tiyi.waf.operators;

/** An operator's argument is invalid; the message says what was expected. */
public final class OperatorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OperatorException(String message) {
        super(message);
    }
}
