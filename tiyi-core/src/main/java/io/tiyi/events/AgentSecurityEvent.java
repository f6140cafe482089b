package io.tiyi.events;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.type.TypeReference;
import io.tiyi.internal.Json;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A security event a separate agent shipped to this control plane ({@code EventsService/Ingest}).
 *
 * <p>Its log line is the event's own fields plus {@code agent}, the id of the agent that served
 * the request, so the explorer and the overview read it like a local one. A wrapper rather than
 * a field of {@link SecurityEvent}: the SIEM formats render that record, and the agent has
 * forwarded this event to the SIEM itself, so the control plane's dispatcher skips this type.
 *
 * @param event the event as the agent recorded it
 * @param agent the shipping agent's id, from its credential (never from the event)
 */
public record AgentSecurityEvent(SecurityEvent event, String agent) implements Event {
    private static final TypeReference<TreeMap<String, Object>> FIELDS = new TypeReference<>() {};

    public AgentSecurityEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(agent, "agent");
    }

    @Override
    public String type() {
        return event.type();
    }

    @Override
    public long ts() {
        return event.ts();
    }

    /** What the event log writes: the event's fields and {@code agent}, in name order like every other line. */
    @JsonValue
    public Map<String, Object> line() {
        TreeMap<String, Object> m = Json.MAPPER.convertValue(event, FIELDS);
        m.put("agent", agent);
        return m;
    }
}
