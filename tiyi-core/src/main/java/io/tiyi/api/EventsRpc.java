package io.tiyi.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.events.EventLog;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code tiyi.v1.EventsService}: read this node's {@code logs/} partitions. */
final class EventsRpc {
    static final String SERVICE = "EventsService";
    static final List<String> TYPES = List.of("access", "security", "error", "audit", "alert");
    private static final Pattern DURATION = Pattern.compile("(\\d+)([smhd])");

    record ListRequest(String type, String since, Long sinceMs, String status, String site, Integer limit) {}

    record EventList(List<JsonNode> events, long dropped) {}

    private EventsRpc() {}

    static long since(String since, Long sinceMs, long now) {
        if (sinceMs != null) {
            return sinceMs;
        }
        if (since == null || since.isBlank()) {
            return now - 3_600_000L;
        }
        Matcher m = DURATION.matcher(since.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            long unit = switch (m.group(2)) {
                case "s" -> 1000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                default -> 86_400_000L;
            };
            return now - n * unit;
        }
        try {
            return Instant.parse(since.trim()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw TiyiException.invalid("--since must be a duration like 30s, 10m, 2h, 7d or an ISO time like 2026-11-28T10:00:00Z; got '"
                    + since + "'");
        }
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

    static void register(RpcRegistry r, EventLog events) {
        r.query(SERVICE, "List", Access.VIEWER, ListRequest.class, (ctx, q) -> {
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
    }
}
