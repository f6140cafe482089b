package io.tiyi.auth;

/**
 * Who is calling the API.
 *
 * @param name the user name, or {@code local-admin} for the node's local credential
 * @param role what the caller may do
 * @param mustChangePassword true while the user still has a bootstrap or reset password
 * @param local true for the node's local admin credential
 */
public record Caller(String name, UserRole role, boolean mustChangePassword, boolean local) {
    /** The node-local administrator (the CLI on a control-plane host). */
    public static final String LOCAL_ADMIN = "local-admin";

    public static Caller localAdmin() {
        return new Caller(LOCAL_ADMIN, UserRole.ADMIN, false, true);
    }

    /** How this caller appears as the actor of mutations and audit entries. */
    public String actor() {
        return local ? LOCAL_ADMIN : "user:" + name;
    }
}
