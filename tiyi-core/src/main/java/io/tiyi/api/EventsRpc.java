package io.tiyi.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.client.rpc.EventsService;
import io.tiyi.client.rpc.EventsService.ListRequest;
import io.tiyi.client.rpc.EventsService.SearchRequest;
import io.tiyi.client.rpc.EventsService.StatsRequest;
import io.tiyi.events.EventLog;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * {@code tiyi.v1.EventsService}: read this node's {@code logs/} partitions, and take the security
 * events and request counts of separate agents.
 */
public final class EventsRpc implements RpcService {
    /**
     * The types List and Search read. Not {@code traffic}: agents' request counts are no events
     * of their own to page through, only numbers that Stats adds to the requests.
     */
    static final List<String> TYPES = List.of("access", "security", "error", "audit", "alert");
    static final long MAX_WINDOW_MS = 31 * 86_400_000L;

    record EventList(List<JsonNode> events, long dropped) {}

    /**
     * @param events matching events, newest first
     * @param nextCursor passes back for the next older page; null when no older match exists
     */
    record SearchResult(List<JsonNode> events, String nextCursor) {}

    /**
     * @param fromMs the window start
     * @param untilMs the window end
     * @param bucketMs the width of a bucket; bucket {@code i} starts at {@code fromMs + i * bucketMs}
     * @param sites per site (an event without one under {@code ""}), by name
     * @param topRules the rules in most security events
     * @param topClients the clients with most requests
     * @param requests access events, plus the requests separate agents counted (their {@code traffic})
     * @param blocked security events with action {@code blocked}
     * @param detected security events with action {@code detected}
     */
    record Stats(long fromMs, long untilMs, long bucketMs, List<SiteSeries> sites, List<RuleCount> topRules, List<ClientCount> topClients,
            long requests, long blocked, long detected) {}

    /** Per bucket: access events plus agents' counted requests, and security events with action {@code blocked}. */
    record SiteSeries(String site, long[] requests, long[] blocked) {}

    /** Security events that matched a rule, with the rule's newest message. */
    record RuleCount(long ruleId, String message, long count) {}

    /** A client's access events (this node's own data plane: agents ship no per-client counts) and blocked security events. */
    record ClientCount(String clientIp, long requests, long blocked) {}

    private final EventLog events;

    /** The service over this node's event log. */
    public EventsRpc(EventLog events) {
        this.events = events;
    }

    static long since(String since, Long sinceMs, long now) {
        if (sinceMs != null) {
            return sinceMs;
        }
        if (since == null || since.isBlank()) {
            return now - 3_600_000L;
        }
        try {
            return now - io.tiyi.internal.Durations.parse(since).toMillis();
        } catch (IllegalArgumentException notADuration) {
            try {
                return Instant.parse(since.trim()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw TiyiException.invalid("--since must be " + io.tiyi.internal.Durations.SHAPE
                        + " or an ISO time like 2026-11-28T10:00:00Z; got '" + since + "'");
            }
        }
    }

    /** A type from a request, lower-cased; {@code fallback} when unset. */
    static String type(String type, String fallback) {
        String t = type == null || type.isBlank() ? fallback : type.trim().toLowerCase(Locale.ROOT);
        if (!TYPES.contains(t)) {
            throw TiyiException.invalid("type must be one of " + String.join(", ", TYPES) + "; got '" + type + "'");
        }
        return t;
    }

    /** Refuses a window that is reversed or longer than {@link #MAX_WINDOW_MS}: a scan reads every hour in it. */
    static void checkWindow(long from, long until) {
        if (from > until) {
            throw TiyiException.invalid("from_ms (" + from + ") must not be after until_ms (" + until + ")");
        }
        long span;
        try {
            span = Math.subtractExact(until, from);
        } catch (ArithmeticException e) {
            // Far-apart values would wrap to a small or negative span and pass.
            span = Long.MAX_VALUE;
        }
        if (span > MAX_WINDOW_MS) {
            throw TiyiException.invalid("from_ms to until_ms must span at most 31 days (" + MAX_WINDOW_MS + " ms); got from_ms " + from
                    + ", until_ms " + until);
        }
    }

    static int bounded(Integer value, int fallback, int max, String field) {
        int v = value == null ? fallback : value;
        if (v < 1 || v > max) {
            throw TiyiException.invalid(field + " must be from 1 to " + max + "; got " + v);
        }
        return v;
    }

    static Predicate<JsonNode> status(String status) {
        if (status == null || status.isBlank()) {
            return n -> true;
        }
        String s = status.trim().toLowerCase(Locale.ROOT);
        if (s.matches("[1-5]xx")) {
            int cls = s.charAt(0) - '0';
            return n -> n.path("status").asInt() / 100 == cls;
        }
        if (s.matches("[1-5]\\d\\d")) {
            int code = Integer.parseInt(s);
            return n -> n.path("status").asInt() == code;
        }
        throw TiyiException.invalid("--status must be a code like 404 or a class like 5xx; got '" + status + "'");
    }

    @Override
    public void register(RpcRegistry r) {
        r.query(EventsService.LIST, Access.VIEWER, (ctx, q) -> {
            String type = q.type() == null ? "access" : q.type().toLowerCase(Locale.ROOT);
            if (!TYPES.contains(type)) {
                throw TiyiException.invalid("--type must be one of " + String.join(", ", TYPES) + "; got '" + q.type() + "'");
            }
            int limit = q.limit() == null ? 1000 : q.limit();
            if (limit < 1 || limit > 100_000) {
                throw TiyiException.invalid("limit must be from 1 to 100000, got " + limit);
            }
            long from = since(q.since(), q.sinceMs(), System.currentTimeMillis());
            Predicate<JsonNode> filter = status(q.status());
            if (q.site() != null && !q.site().isBlank()) {
                filter = filter.and(n -> q.site().equals(n.path("site").asText()));
            }
            return new EventList(events.query(type, from, filter, limit), events.dropped());
        });
        r.query(EventsService.SEARCH, Access.VIEWER, (ctx, q) -> EventSearch.search(events, q, System.currentTimeMillis()));
        r.query(EventsService.STATS, Access.VIEWER, (ctx, q) -> EventStats.compute(events, q, System.currentTimeMillis()));
        // A query, not a mutation: events are no replicated state, and a read-only node an agent
        // follows (a secondary, a read-only primary) takes them as well as the primary does.
        r.query(EventsService.INGEST, Access.AGENT, (ctx, q) -> EventIngest.ingest(events, ctx.agentId(), q, System.currentTimeMillis()));
    }
}
