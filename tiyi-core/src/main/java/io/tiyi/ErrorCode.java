package io.tiyi;

import java.util.Locale;

/** The kinds of failure the API reports, with the Connect code name and the HTTP status that carries them. */
public enum ErrorCode {
    INVALID_ARGUMENT(400),
    UNAUTHENTICATED(401),
    PERMISSION_DENIED(403),
    NOT_FOUND(404),
    ALREADY_EXISTS(409),
    /** The state does not allow it now (for example: not the primary, last admin). */
    FAILED_PRECONDITION(409),
    PAYLOAD_TOO_LARGE(413),
    RESOURCE_EXHAUSTED(429),
    UNIMPLEMENTED(404),
    UNAVAILABLE(503),
    INTERNAL(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The code as it appears in API error bodies, for example {@code invalid_argument}. */
    public String wireName() {
        return this == PAYLOAD_TOO_LARGE ? "resource_exhausted" : name().toLowerCase(Locale.ROOT);
    }
}
