package io.tiyi.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.events.AgentSecurityEvent;
import io.tiyi.events.EventLog;
import io.tiyi.events.SecurityEvent;
import io.tiyi.events.ShippedSecurityEvents;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code EventsService/Ingest}: the security events a separate agent ships, written into this
 * node's log with the agent's id, so that Search and Stats count them like the node's own.
 */
final class EventIngest {
    /** @param events security events as the agent's log wrote them, at most {@link ShippedSecurityEvents#MAX_BATCH} */
    record Request(List<JsonNode> events) {}

    /**
     * @param accepted events queued for this node's log
     * @param dropped events this node's log had no room for (its queue was full); counted in its {@code dropped}
     */
    record Result(int accepted, int dropped) {}

    private EventIngest() {}

    static Result ingest(EventLog log, String agentId, Request q, long now) {
        if (q.events() == null) {
            throw TiyiException.invalid("events is required: a list of security events");
        }
        if (q.events().size() > ShippedSecurityEvents.MAX_BATCH) {
            throw TiyiException.invalid("events has " + q.events().size() + " entries; at most " + ShippedSecurityEvents.MAX_BATCH
                    + " a batch: send smaller batches");
        }
        // Every event is checked before any is written: a refused batch leaves nothing behind,
        // so the agent can fix and resend it without duplicates.
        List<SecurityEvent> checked = new ArrayList<>(q.events().size());
        for (int i = 0; i < q.events().size(); i++) {
            checked.add(ShippedSecurityEvents.parse(q.events().get(i), "events[" + i + "]", now));
        }
        int dropped = 0;
        for (SecurityEvent e : checked) {
            if (!log.offer(new AgentSecurityEvent(e, agentId))) {
                dropped++;
            }
        }
        return new Result(checked.size() - dropped, dropped);
    }
}
