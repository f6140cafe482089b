package io.tiyi.config;

import io.tiyi.TiyiException;

/** The configuration is invalid; the message names the key and where it came from. */
public final class ConfigException extends TiyiException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(io.tiyi.ErrorCode.INVALID_ARGUMENT, message);
    }
}
