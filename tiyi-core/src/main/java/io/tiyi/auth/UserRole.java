package io.tiyi.auth;

import io.tiyi.TiyiException;
import java.util.Locale;

/** What a user may do; each role includes the ones below it. */
public enum UserRole {
    /** Reads state. */
    VIEWER,
    /** Changes sites, WAF policy, certificates, agents. */
    OPERATOR,
    /** Everything, including users, settings and cluster operations. */
    ADMIN;

    public boolean atLeast(UserRole other) {
        return ordinal() >= other.ordinal();
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code admin|operator|viewer}. */
    public static UserRole parse(String s) {
        if (s != null) {
            for (UserRole r : values()) {
                if (r.wireName().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return r;
                }
            }
        }
        throw new TiyiException("role must be one of admin, operator, viewer; got '" + s + "'");
    }
}
