package io.tiyi.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The limits of a security event shipped from an agent to a control plane, as both ends apply
 * them: the agent {@link #clamp}s each event before it queues it, so the control plane's
 * {@link #parse} never refuses one of its events for size, and one agent cannot write lines of
 * megabytes into the control plane's log.
 */
public final class ShippedSecurityEvents {
    /** Events in one {@code EventsService/Ingest} batch, at most. */
    public static final int MAX_BATCH = 1000;
    /** Characters of {@code path}, at most (the data plane records 4096). */
    public static final int MAX_PATH = 8192;
    /** Characters of any other text field and of each message, at most. */
    public static final int MAX_TEXT = 1024;
    /** Entries of {@code rule_ids} and of {@code messages}, at most. */
    public static final int MAX_RULES = 256;
    /** How far ahead of the control plane's clock an event may be: a partition in the future would outlive retention. */
    public static final long MAX_AHEAD_MS = 3_600_000L;

    private static final Set<String> FIELDS = Set.of("type", "ts", "request_id", "client_ip", "peer", "site", "method", "host", "path",
            "action", "status", "rule_ids", "messages", "matched", "anomaly_score");

    private ShippedSecurityEvents() {}

    /** {@code e} cut to the limits; the same instance when it is within them, as events from the data plane are. */
    public static SecurityEvent clamp(SecurityEvent e) {
        if (within(e)) {
            return e;
        }
        List<Long> ids = e.ruleIds().size() <= MAX_RULES ? e.ruleIds() : e.ruleIds().subList(0, MAX_RULES);
        List<String> messages = new ArrayList<>(Math.min(MAX_RULES, e.messages().size()));
        for (String m : e.messages()) {
            if (messages.size() == MAX_RULES) {
                break;
            }
            messages.add(cut(m, MAX_TEXT));
        }
        return new SecurityEvent(e.ts(), cut(e.requestId(), MAX_TEXT), cut(e.clientIp(), MAX_TEXT), cut(e.peer(), MAX_TEXT),
                cut(e.site(), MAX_TEXT), cut(e.method(), MAX_TEXT), cut(e.host(), MAX_TEXT), cut(e.path(), MAX_PATH), cut(e.action(), MAX_TEXT),
                e.status(), ids, messages, cut(e.matched(), MAX_TEXT), e.anomalyScore());
    }

    private static boolean within(SecurityEvent e) {
        if (e.ruleIds().size() > MAX_RULES || e.messages().size() > MAX_RULES || len(e.path()) > MAX_PATH) {
            return false;
        }
        for (String s : new String[] {e.requestId(), e.clientIp(), e.peer(), e.site(), e.method(), e.host(), e.action(), e.matched()}) {
            if (len(s) > MAX_TEXT) {
                return false;
            }
        }
        for (String m : e.messages()) {
            if (len(m) > MAX_TEXT) {
                return false;
            }
        }
        return true;
    }

    private static int len(String s) {
        return s == null ? 0 : s.length();
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /**
     * Reads one shipped event, refusing it with a message that names the field.
     *
     * @param n the event as received
     * @param where how the message names it, for example {@code events[3]}
     * @param now the control plane's clock, ms
     * @throws TiyiException ({@code invalid_argument}) when a field is missing, of the wrong type, too long or unknown
     */
    public static SecurityEvent parse(JsonNode n, String where, long now) {
        if (n == null || !n.isObject()) {
            throw TiyiException.invalid(where + " must be a JSON object (a security event)");
        }
        for (Iterator<String> names = n.fieldNames(); names.hasNext();) {
            String f = names.next();
            if (!FIELDS.contains(f)) {
                throw TiyiException.invalid(where + ": unknown field '" + f + "' (fields: " + String.join(", ", FIELDS.stream().sorted().toList())
                        + ")");
            }
        }
        String type = text(n, where, "type", MAX_TEXT);
        if (!"security".equals(type)) {
            throw TiyiException.invalid(where + ".type must be 'security' (only security events are shipped); got '" + type + "'");
        }
        long ts = integer(n, where, "ts");
        if (ts <= 0) {
            throw TiyiException.invalid(where + ".ts must be a positive time in ms since the epoch; got " + ts);
        }
        if (ts > now + MAX_AHEAD_MS) {
            throw TiyiException.invalid(where + ".ts is " + (ts - now) / 60_000 + " minutes ahead of this control plane's clock; set the"
                    + " agent's clock right (NTP)");
        }
        String action = text(n, where, "action", MAX_TEXT);
        if (!action.equals("blocked") && !action.equals("detected")) {
            throw TiyiException.invalid(where + ".action must be 'blocked' or 'detected'; got '" + action + "'");
        }
        long status = integer(n, where, "status");
        if (status < 0 || status > 999) {
            throw TiyiException.invalid(where + ".status must be an HTTP status; got " + status);
        }
        long score = integer(n, where, "anomaly_score");
        if (score < Integer.MIN_VALUE || score > Integer.MAX_VALUE) {
            throw TiyiException.invalid(where + ".anomaly_score is out of range: " + score);
        }
        JsonNode ids = list(n, where, "rule_ids");
        List<Long> ruleIds = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            if (!ids.get(i).canConvertToLong() || !ids.get(i).isIntegralNumber()) {
                throw TiyiException.invalid(where + ".rule_ids[" + i + "] must be an integer");
            }
            ruleIds.add(ids.get(i).asLong());
        }
        JsonNode msgs = list(n, where, "messages");
        List<String> messages = new ArrayList<>(msgs.size());
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            if (!m.isTextual()) {
                throw TiyiException.invalid(where + ".messages[" + i + "] must be a string");
            }
            if (m.asText().length() > MAX_TEXT) {
                throw TiyiException.invalid(where + ".messages[" + i + "] is " + m.asText().length() + " characters; at most " + MAX_TEXT);
            }
            messages.add(m.asText());
        }
        return new SecurityEvent(ts, text(n, where, "request_id", MAX_TEXT), text(n, where, "client_ip", MAX_TEXT),
                text(n, where, "peer", MAX_TEXT), text(n, where, "site", MAX_TEXT), text(n, where, "method", MAX_TEXT),
                text(n, where, "host", MAX_TEXT), text(n, where, "path", MAX_PATH), action, (int) status, ruleIds, messages,
                text(n, where, "matched", MAX_TEXT), (int) score);
    }

    private static JsonNode field(JsonNode n, String where, String f) {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            throw TiyiException.invalid(where + "." + f + " is missing");
        }
        return v;
    }

    private static String text(JsonNode n, String where, String f, int max) {
        JsonNode v = field(n, where, f);
        if (!v.isTextual()) {
            throw TiyiException.invalid(where + "." + f + " must be a string");
        }
        if (v.asText().length() > max) {
            throw TiyiException.invalid(where + "." + f + " is " + v.asText().length() + " characters; at most " + max);
        }
        return v.asText();
    }

    private static long integer(JsonNode n, String where, String f) {
        JsonNode v = field(n, where, f);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw TiyiException.invalid(where + "." + f + " must be an integer");
        }
        return v.asLong();
    }

    private static JsonNode list(JsonNode n, String where, String f) {
        JsonNode v = field(n, where, f);
        if (!v.isArray()) {
            throw TiyiException.invalid(where + "." + f + " must be a list");
        }
        if (v.size() > MAX_RULES) {
            throw TiyiException.invalid(where + "." + f + " has " + v.size() + " entries; at most " + MAX_RULES);
        }
        return v;
    }
}
