package io.tiyi.api;

import io.tiyi.auth.UserRole;

/** The least a caller needs to call an RPC method. */
public enum Access {
    /** No token: the method authenticates by its own arguments (login, refresh). */
    PUBLIC(null),
    VIEWER(UserRole.VIEWER),
    OPERATOR(UserRole.OPERATOR),
    ADMIN(UserRole.ADMIN);

    private final UserRole role;

    Access(UserRole role) {
        this.role = role;
    }

    /** The minimum role, or null for {@link #PUBLIC}. */
    public UserRole role() {
        return role;
    }
}
