package io.tiyi;

import java.util.Objects;

/**
 * A failure a user can act on: the message names what was wrong (key, file, value) and what to
 * do next, and reads the same in the CLI, the API and the log. It never carries a secret.
 */
public class TiyiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public TiyiException(String message) {
        this(ErrorCode.INTERNAL, message);
    }

    public TiyiException(String message, Throwable cause) {
        super(message, cause);
        this.code = ErrorCode.INTERNAL;
    }

    public TiyiException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code);
    }

    /** What kind of failure this is; {@link ErrorCode#INTERNAL} when not classified. */
    public ErrorCode code() {
        return code;
    }

    public static TiyiException invalid(String message) {
        return new TiyiException(ErrorCode.INVALID_ARGUMENT, message);
    }

    public static TiyiException notFound(String message) {
        return new TiyiException(ErrorCode.NOT_FOUND, message);
    }

    public static TiyiException alreadyExists(String message) {
        return new TiyiException(ErrorCode.ALREADY_EXISTS, message);
    }

    public static TiyiException failedPrecondition(String message) {
        return new TiyiException(ErrorCode.FAILED_PRECONDITION, message);
    }

    public static TiyiException permissionDenied(String message) {
        return new TiyiException(ErrorCode.PERMISSION_DENIED, message);
    }

    public static TiyiException unauthenticated(String message) {
        return new TiyiException(ErrorCode.UNAUTHENTICATED, message);
    }
}
