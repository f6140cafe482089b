package io.tiyi.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.client.rpc.EventsService.IngestRequest;
import io.tiyi.events.AgentSecurityEvent;
import io.tiyi.events.EventLog;
import io.tiyi.events.SecurityEvent;
import io.tiyi.events.ShippedSecurityEvents;
import io.tiyi.events.TrafficEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * {@code EventsService/Ingest}: the security events and the requests per site and minute a
 * separate agent ships, written into this node's log with the agent's id, so that Search and
 * Stats count them like the node's own.
 */
final class EventIngest {
    private static final Set<String> TRAFFIC_FIELDS = Set.of("site", "minute_ms", "requests");

    /**
     * @param accepted events queued for this node's log
     * @param dropped events this node's log had no room for (its queue was full); counted in its {@code dropped}
     * @param trafficAccepted traffic entries queued for this node's log
     * @param trafficDropped traffic entries this node's log had no room for
     */
    record Result(int accepted, int dropped, int trafficAccepted, int trafficDropped) {}

    private EventIngest() {}

    static Result ingest(EventLog log, String agentId, IngestRequest q, long now) {
        List<JsonNode> events = q.events() == null ? List.of() : q.events();
        List<JsonNode> traffic = q.traffic() == null ? List.of() : q.traffic();
        if (q.events() == null && q.traffic() == null) {
            throw TiyiException.invalid("events or traffic is required: a list of security events, a list of {site, minute_ms, requests}");
        }
        if (events.size() > ShippedSecurityEvents.MAX_BATCH) {
            throw TiyiException.invalid("events has " + events.size() + " entries; at most " + ShippedSecurityEvents.MAX_BATCH
                    + " a batch: send smaller batches");
        }
        if (traffic.size() > TrafficEvent.MAX_BATCH) {
            throw TiyiException.invalid("traffic has " + traffic.size() + " entries; at most " + TrafficEvent.MAX_BATCH
                    + " a batch: send smaller batches");
        }
        // Every entry is checked before any is written: a refused batch leaves nothing behind,
        // so the agent can fix and resend it without duplicates.
        List<SecurityEvent> checked = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            checked.add(ShippedSecurityEvents.parse(events.get(i), "events[" + i + "]", now));
        }
        List<TrafficEvent> minutes = new ArrayList<>(traffic.size());
        for (int i = 0; i < traffic.size(); i++) {
            minutes.add(traffic(traffic.get(i), "traffic[" + i + "]", agentId, now));
        }
        int dropped = 0;
        for (SecurityEvent e : checked) {
            if (!log.offer(new AgentSecurityEvent(e, agentId))) {
                dropped++;
            }
        }
        int trafficDropped = 0;
        for (TrafficEvent t : minutes) {
            if (!log.offer(t)) {
                trafficDropped++;
            }
        }
        return new Result(checked.size() - dropped, dropped, minutes.size() - trafficDropped, trafficDropped);
    }

    /** Reads one traffic entry, refusing it with a message that names the field. */
    static TrafficEvent traffic(JsonNode n, String where, String agentId, long now) {
        if (n == null || !n.isObject()) {
            throw TiyiException.invalid(where + " must be a JSON object ({site, minute_ms, requests})");
        }
        for (Iterator<String> names = n.fieldNames(); names.hasNext();) {
            String f = names.next();
            if (!TRAFFIC_FIELDS.contains(f)) {
                throw TiyiException.invalid(where + ": unknown field '" + f + "' (fields: minute_ms, requests, site)");
            }
        }
        JsonNode site = n.get("site");
        if (site == null || site.isNull()) {
            throw TiyiException.invalid(where + ".site is missing");
        }
        if (!site.isTextual()) {
            throw TiyiException.invalid(where + ".site must be a string");
        }
        if (site.asText().length() > TrafficEvent.MAX_SITE) {
            throw TiyiException.invalid(where + ".site is " + site.asText().length() + " characters; at most " + TrafficEvent.MAX_SITE);
        }
        long minute = integer(n, where, "minute_ms");
        if (minute <= 0 || minute % TrafficEvent.MINUTE_MS != 0) {
            throw TiyiException.invalid(where + ".minute_ms must be a minute's start: a positive multiple of 60000 ms; got " + minute);
        }
        if (minute > now + ShippedSecurityEvents.MAX_AHEAD_MS) {
            throw TiyiException.invalid(where + ".minute_ms is " + (minute - now) / 60_000 + " minutes ahead of this control plane's clock;"
                    + " set the agent's clock right (NTP)");
        }
        long requests = integer(n, where, "requests");
        if (requests < 1 || requests > TrafficEvent.MAX_REQUESTS) {
            throw TiyiException.invalid(where + ".requests must be from 1 to " + TrafficEvent.MAX_REQUESTS + "; got " + requests);
        }
        return new TrafficEvent(minute, site.asText(), requests, agentId);
    }

    private static long integer(JsonNode n, String where, String f) {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            throw TiyiException.invalid(where + "." + f + " is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw TiyiException.invalid(where + "." + f + " must be an integer");
        }
        return v.asLong();
    }
}
