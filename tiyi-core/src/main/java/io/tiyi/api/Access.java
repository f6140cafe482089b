package io.tiyi.api;

import io.tiyi.auth.UserRole;

/** The least a caller needs to call an RPC method. */
public enum Access {
    /** No token: the method authenticates by its own arguments (login, refresh). */
    PUBLIC(null),
    VIEWER(UserRole.VIEWER),
    OPERATOR(UserRole.OPERATOR),
    ADMIN(UserRole.ADMIN),
    /** An enrolled agent's credential; users cannot call these methods, agents can call nothing else. */
    AGENT(null),
    /**
     * The credential of an enrolled secondary (an agent enrolled with tag {@value AgentIdentity#SECONDARY_TAG}):
     * replication and the promotion handshake. Other agents are refused before the body is read.
     */
    SECONDARY(null);

    private final UserRole role;

    Access(UserRole role) {
        this.role = role;
    }

    /** The minimum role, or null for {@link #PUBLIC}, {@link #AGENT} and {@link #SECONDARY}. */
    public UserRole role() {
        return role;
    }
}
