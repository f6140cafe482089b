package io.tiyi.auth;

/**
 * A control-plane account as the API shows it (never the password hash).
 *
 * @param id numeric id
 * @param name login name
 * @param role what the user may do
 * @param mustChangePassword true until the user replaces a bootstrap or reset password
 * @param disabled a disabled user cannot log in
 * @param createdAt milliseconds since the epoch
 * @param updatedAt milliseconds since the epoch
 */
public record User(long id, String name, UserRole role, boolean mustChangePassword, boolean disabled, long createdAt, long updatedAt) {}
