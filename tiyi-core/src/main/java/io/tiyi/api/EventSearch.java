package io.tiyi.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.client.rpc.EventsService.SearchRequest;
import io.tiyi.events.EventLog;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Predicate;

/** {@code EventsService/Search}: filters and pages of an event explorer. */
final class EventSearch {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    private static final long DAY_MS = 86_400_000L;
    private static final String VERSION = "e1";

    private EventSearch() {}

    static EventsRpc.SearchResult search(EventLog log, SearchRequest q, long now) {
        String type = EventsRpc.type(q.type(), "security");
        int limit = EventsRpc.bounded(q.limit(), DEFAULT_LIMIT, MAX_LIMIT, "limit");
        Cursor cursor = isSet(q.cursor()) ? Cursor.decode(q.cursor()) : null;
        // Later pages keep the first page's window: a default "last 24 hours" would otherwise slide
        // forward between calls and silently cut off the oldest events.
        long until = q.untilMs() != null ? q.untilMs() : cursor != null ? cursor.untilMs() : now;
        long from = q.fromMs() != null ? q.fromMs() : cursor != null ? cursor.fromMs() : until - DAY_MS;
        EventsRpc.checkWindow(from, until);
        EventLog.Page page = log.search(type, from, until, filter(q), cursor == null ? null : cursor.after(), limit);
        String next = page.next() == null ? null : new Cursor(from, until, page.next()).encode();
        return new EventsRpc.SearchResult(page.events(), next);
    }

    static Predicate<JsonNode> filter(SearchRequest q) {
        Predicate<JsonNode> f = EventsRpc.status(q.status());
        f = f.and(exact("site", q.site())).and(exact("client_ip", q.clientIp())).and(exact("action", q.action()))
                .and(exact("request_id", q.requestId()));
        if (isSet(q.method())) {
            f = f.and(n -> q.method().equalsIgnoreCase(text(n, "method")));
        }
        if (q.path() != null && !q.path().isEmpty()) {
            f = f.and(n -> text(n, "path").contains(q.path()));
        }
        if (q.ruleId() != null) {
            long id = q.ruleId();
            f = f.and(n -> {
                for (JsonNode r : n.path("rule_ids")) {
                    if (r.isIntegralNumber() && r.asLong() == id) {
                        return true;
                    }
                }
                return false;
            });
        }
        return f;
    }

    private static Predicate<JsonNode> exact(String field, String value) {
        return isSet(value) ? n -> value.equals(text(n, field)) : n -> true;
    }

    /** A field's text; "" when absent or null, so a missing field never matches as the word "null". */
    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    private static boolean isSet(String s) {
        return s != null && !s.isBlank();
    }

    /**
     * What a {@code next_cursor} carries: the window of the first page and the {@link EventLog.Position}
     * (ts, line in its hour's partition) of the last event returned. Positions are unique and never
     * move, and the next page takes only events strictly before it, so pages neither repeat nor skip
     * an event however many share one ts. Base64 only to keep clients from building cursors: it is
     * not a secret, and a forged one can only name another position the caller may read anyway.
     */
    record Cursor(long fromMs, long untilMs, EventLog.Position after) {
        String encode() {
            String raw = VERSION + "." + fromMs + "." + untilMs + "." + after.ts() + "." + after.line();
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String s) {
            try {
                String[] p = new String(Base64.getUrlDecoder().decode(s.trim()), StandardCharsets.UTF_8).split("\\.", -1);
                if (p.length == 5 && p[0].equals(VERSION)) {
                    long line = Long.parseLong(p[4]);
                    if (line >= 0) {
                        return new Cursor(Long.parseLong(p[1]), Long.parseLong(p[2]), new EventLog.Position(Long.parseLong(p[3]), line));
                    }
                }
            } catch (IllegalArgumentException e) {
                // Bad base64 or a bad number: the same answer as any other cursor we did not issue.
            }
            throw TiyiException.invalid("cursor is not valid; start from the first page");
        }
    }
}
