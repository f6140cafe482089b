package io.tiyi.events;

import java.util.Map;

/**
 * An entry of the primary's audit chain, as it was committed.
 *
 * @param ts commit time, ms
 * @param seq the mutation's seq
 * @param actor who did it
 * @param action dotted verb, for example {@code users.create}
 * @param target what it acted on, for example {@code user:alice}
 * @param details extra facts (never a secret)
 */
public record AuditLogEvent(long ts, long seq, String actor, String action, String target, Map<String, Object> details) implements Event {
    public AuditLogEvent {
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    @Override
    public String type() {
        return "audit";
    }
}
