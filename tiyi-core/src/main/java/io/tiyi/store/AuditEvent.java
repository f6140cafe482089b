package io.tiyi.store;

import java.util.Map;

/**
 * An audit-only entry: changes no other state, but is logged and replicated like every mutation
 * so that all control-plane nodes hold the same audit chain.
 */
public record AuditEvent(String action, String target, Map<String, Object> details) implements Mutation<Void> {
    /** Kind in mutation_log. */
    public static final String KIND = "audit.event";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Void apply(MutationContext ctx) {
        return null;
    }

    @Override
    public AuditRecord audit() {
        return new AuditRecord(action, target, details);
    }
}
