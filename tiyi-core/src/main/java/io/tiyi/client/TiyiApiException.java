package io.tiyi.client;

import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;

/** The API answered with an error. */
public final class TiyiApiException extends TiyiException {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final String wireCode;

    public TiyiApiException(int httpStatus, String wireCode, String message) {
        super(codeOf(wireCode), message);
        this.httpStatus = httpStatus;
        this.wireCode = wireCode;
    }

    private static ErrorCode codeOf(String wire) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.wireName().equals(wire)) {
                return c;
            }
        }
        return ErrorCode.INTERNAL;
    }

    /** The HTTP status of the answer. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The error code as the API sent it, for example {@code invalid_argument}. */
    public String wireCode() {
        return wireCode;
    }
}
