package io.tiyi.store;

import java.util.Map;
import java.util.Objects;

/**
 * What the audit log says about an action.
 *
 * @param action dotted verb, for example {@code users.create} or {@code auth.login_failed}
 * @param target what it acted on, for example {@code user:alice}
 * @param details extra facts, JSON-encodable; never a secret, hash or token
 */
public record AuditRecord(String action, String target, Map<String, Object> details) {
    public AuditRecord {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public static AuditRecord of(String action, String target) {
        return new AuditRecord(action, target, Map.of());
    }
}
