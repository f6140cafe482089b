package io.tiyi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.events.AccessEvent;
import io.tiyi.events.Event;
import io.tiyi.events.EventLog;
import io.tiyi.events.SecurityEvent;
import io.tiyi.internal.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code EventsService/Search} and {@code Stats} over real partitions, called through the registry as the RPC handler does. */
class EventSearchTest {
    static final long HOUR = 3_600_000L;
    static final DateTimeFormatter HOUR_NAME = DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    EventLog log;
    RpcRegistry registry;
    /** The start of the hour three hours ago: recent enough for retention, whole hours for the partition tests. */
    long base;

    @BeforeEach
    void open() {
        log = new EventLog(dir, () -> 14);
        registry = new RpcRegistry();
        registry.register(new EventsRpc(log));
        base = (System.currentTimeMillis() / HOUR - 3) * HOUR;
    }

    @AfterEach
    void close() {
        log.close();
    }

    static SecurityEvent sec(long ts, String id, String site, String ip, String method, String path, String action, int status, List<Long> rules,
            List<String> messages) {
        return new SecurityEvent(ts, id, ip, ip, site, method, "h.test", path, action, status, rules, messages, "ARGS:q", 5);
    }

    static AccessEvent acc(long ts, String id, String site, String ip, String method, String path, int status) {
        return new AccessEvent(ts, id, ip, ip, method, "h.test", path, status, 10, site, "", -1, 1);
    }

    void write(Event... events) {
        long target = log.written() + events.length;
        for (Event e : events) {
            assertThat(log.offer(e)).isTrue();
        }
        log.flush();
        long deadline = System.currentTimeMillis() + 5000;
        while (log.written() < target && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(log.written()).isEqualTo(target);
    }

    JsonNode call(String method, Map<String, ?> request) {
        return invoke(registry.find("tiyi.v1.EventsService/" + method).orElseThrow(), request);
    }

    static <Q> JsonNode invoke(RpcMethod<Q> m, Map<String, ?> request) {
        assertThat(m.access()).isEqualTo(Access.VIEWER);
        assertThat(m.mutating()).isFalse();
        // The wire's own mapping both ways: snake_case fields, unknown fields refused.
        Q q = Json.MAPPER.convertValue(request, m.requestType());
        return Json.MAPPER.valueToTree(m.handler().call(new RpcContext(null, "test", null), q));
    }

    JsonNode search(Object... keyValues) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("from_ms", base);
        q.put("until_ms", base + 3 * HOUR);
        for (int i = 0; i < keyValues.length; i += 2) {
            q.put((String) keyValues[i], keyValues[i + 1]);
        }
        return call("Search", q);
    }

    static List<String> ids(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("events").forEach(e -> out.add(e.get("request_id").asText()));
        return out;
    }

    @Test
    void eachFilterMatchesAsDocumented() {
        write(sec(base + 1000, "r1", "a", "1.1.1.1", "GET", "/login?next=/", "blocked", 403, List.of(942100L, 949110L), List.of("SQLi", "Anomaly")),
                sec(base + 2000, "r2", "b", "2.2.2.2", "POST", "/api/items", "detected", 200, List.of(920350L), List.of("Host is IP")),
                sec(base + 3000, "r3", "a", "2.2.2.2", "post", "/Login", "blocked", 403, List.of(942100L), List.of("SQLi")),
                sec(base + 4000, "r4", null, "3.3.3.3", "GET", "/static", "detected", 502, List.of(), List.of()),
                acc(base + 1000, "a1", "a", "1.1.1.1", "GET", "/login?next=/", 403),
                acc(base + 5000, "a2", "b", "4.4.4.4", "GET", "/", 200));

        assertThat(ids(search())).as("security by default, newest first").containsExactly("r4", "r3", "r2", "r1");
        assertThat(ids(search("site", "a"))).containsExactly("r3", "r1");
        assertThat(ids(search("site", " "))).as("blank is unset").hasSize(4);
        assertThat(ids(search("rule_id", 942100))).containsExactly("r3", "r1");
        assertThat(ids(search("rule_id", 949110))).containsExactly("r1");
        assertThat(ids(search("client_ip", "2.2.2.2"))).containsExactly("r3", "r2");
        assertThat(ids(search("path", "login"))).as("substring, case-sensitive").containsExactly("r1");
        assertThat(ids(search("method", "POST"))).as("any case").containsExactly("r3", "r2");
        assertThat(ids(search("action", "detected"))).containsExactly("r4", "r2");
        assertThat(ids(search("status", "4xx"))).containsExactly("r3", "r1");
        assertThat(ids(search("status", "502"))).containsExactly("r4");
        assertThat(ids(search("request_id", "r2"))).containsExactly("r2");
        assertThat(ids(search("site", "a", "action", "blocked", "method", "get"))).containsExactly("r1");
        assertThat(ids(search("type", "access"))).containsExactly("a2", "a1");
        assertThat(ids(search("type", "ACCESS", "status", "200"))).containsExactly("a2");
        assertThat(search("type", "access").get("next_cursor").isNull()).isTrue();
    }

    @Test
    void theDefaultWindowIsTheLast24Hours() {
        long now = System.currentTimeMillis();
        write(sec(now - 25 * HOUR + 60_000, "old", "a", "1.1.1.1", "GET", "/", "blocked", 403, List.of(1L), List.of("m")),
                sec(now - 23 * HOUR, "day", "a", "1.1.1.1", "GET", "/", "blocked", 403, List.of(1L), List.of("m")),
                sec(now - 1000, "new", "a", "1.1.1.1", "GET", "/", "blocked", 403, List.of(1L), List.of("m")));
        assertThat(ids(call("Search", Map.of()))).containsExactly("new", "day");
        assertThat(ids(call("Search", Map.of("until_ms", now - HOUR)))).containsExactly("day", "old");
    }

    @Test
    void pagingVisitsEveryEventOnceEvenWhenManyShareATsAndArriveOutOfOrder() {
        // 230 events over 12 timestamps, about 19 each, straddling an hour boundary, appended out of ts order.
        long boundary = base + HOUR;
        List<SecurityEvent> all = new ArrayList<>();
        for (int i = 0; i < 230; i++) {
            long ts = boundary - 5000 + ((i * 7L) % 12) * 1000;
            all.add(sec(ts, "e" + i, "a", "1.1.1.1", "GET", "/", "blocked", 403, List.of(1L), List.of("m")));
        }
        write(all.toArray(Event[]::new));
        assertThat(dir.resolve("security-" + HOUR_NAME.format(Instant.ofEpochMilli(boundary - 1)) + ".jsonl")).exists();
        assertThat(dir.resolve("security-" + HOUR_NAME.format(Instant.ofEpochMilli(boundary)) + ".jsonl")).exists();
        // Newest ts first; among equal ts, the one appended last first.
        List<String> expected = IntStream.range(0, 230).boxed()
                .sorted(Comparator.<Integer>comparingLong(i -> -all.get(i).ts()).thenComparing(Comparator.reverseOrder()))
                .map(i -> "e" + i).toList();

        List<String> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = cursor == null ? search("limit", 50) : search("limit", 50, "cursor", cursor);
            sizes.add(page.get("events").size());
            seen.addAll(ids(page));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            if (sizes.size() == 1) {
                // A newer event arriving while paging is for the first page of the next search, not for these.
                write(sec(boundary + 9000, "late", "a", "1.1.1.1", "GET", "/", "blocked", 403, List.of(1L), List.of("m")));
            }
        } while (cursor != null && sizes.size() < 10);
        assertThat(sizes).containsExactly(50, 50, 50, 50, 30);
        assertThat(seen).containsExactlyElementsOf(expected);

        assertThat(search("limit", 231).get("next_cursor").isNull()).as("exactly all remaining: no next page").isTrue();
        assertThat(search("limit", 230).get("next_cursor").isNull()).as("one more exists: the late one").isFalse();
    }

    @Test
    void aCursorCrossesHourPartitionsAndSkipsTornLines() throws Exception {
        String[] hours = {HOUR_NAME.format(Instant.ofEpochMilli(base)), HOUR_NAME.format(Instant.ofEpochMilli(base + HOUR)),
            HOUR_NAME.format(Instant.ofEpochMilli(base + 2 * HOUR))};
        for (int h = 0; h < 3; h++) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                lines.append(Json.write(sec(base + h * HOUR + 1000, "h" + h + "-" + i, "a", "1.1.1.1", "GET", "/", "blocked", 403, List.of(1L),
                        List.of("m")))).append('\n');
                lines.append(i == 1 ? "\n" : "");
            }
            // A partition being written can end in half a line.
            lines.append("{\"ts\":").append(base + h * HOUR + 2000).append(",\"request_id\":\"torn");
            Files.writeString(dir.resolve("security-" + hours[h] + ".jsonl"), lines);
        }
        List<String> seen = new ArrayList<>();
        JsonNode page = search("limit", 2);
        seen.addAll(ids(page));
        while (!page.get("next_cursor").isNull()) {
            page = search("limit", 2, "cursor", page.get("next_cursor").asText());
            seen.addAll(ids(page));
        }
        assertThat(seen).containsExactly("h2-2", "h2-1", "h2-0", "h1-2", "h1-1", "h1-0", "h0-2", "h0-1", "h0-0");
    }

    @Test
    void laterPagesKeepTheFirstPagesWindow() {
        long now = System.currentTimeMillis();
        write(sec(now - 2000, "x2", "a", "1.1.1.1", "GET", "/", "blocked", 403, List.of(1L), List.of("m")),
                sec(now - 1000, "x1", "a", "1.1.1.1", "GET", "/", "blocked", 403, List.of(1L), List.of("m")));
        JsonNode first = call("Search", Map.of("limit", 1));
        String cursor = first.get("next_cursor").asText();
        String[] window = new String(Base64.getUrlDecoder().decode(cursor)).split("\\.");
        assertThat(Long.parseLong(window[2]) - Long.parseLong(window[1])).isEqualTo(86_400_000L);
        assertThat(ids(call("Search", Map.of("limit", 1, "cursor", cursor)))).containsExactly("x2");
    }

    @Test
    void opensOnlyThePartitionsOfTheWindowAndStopsWhenAPageIsFull() throws Exception {
        write(sec(base + 2 * HOUR, "old", "a", "1.1.1.1", "GET", "/", "blocked", 403, List.of(1L), List.of("m")),
                sec(base + 2 * HOUR + 1000, "new", "a", "1.1.1.1", "GET", "/", "blocked", 403, List.of(1L), List.of("m")),
                sec(base + 2 * HOUR + 2000, "newer", "a", "1.1.1.1", "GET", "/", "blocked", 403, List.of(1L), List.of("m")));
        // Partitions that cannot be read: opening one fails the search.
        Files.createDirectory(dir.resolve("security-" + HOUR_NAME.format(Instant.ofEpochMilli(base + HOUR)) + ".jsonl"));
        Files.createDirectory(dir.resolve("security-" + HOUR_NAME.format(Instant.ofEpochMilli(base - 5 * HOUR)) + ".jsonl"));

        JsonNode page = search("limit", 1);
        assertThat(ids(page)).containsExactly("newer");
        assertThat(ids(search("limit", 1, "cursor", page.get("next_cursor").asText()))).containsExactly("new");
        assertThat(ids(search("from_ms", base + 2 * HOUR))).containsExactly("newer", "new", "old");
        assertThatThrownBy(() -> search("limit", 3)).as("the page is not full after the newest hour").isInstanceOf(TiyiException.class)
                .hasMessageContaining("cannot read");
    }

    @Test
    void badArgumentsAreRefusedByName() {
        assertInvalid(() -> search("cursor", "not a cursor"), "cursor is not valid; start from the first page");
        assertInvalid(() -> search("cursor", Base64.getUrlEncoder().encodeToString("e1.1.2.3".getBytes())), "cursor is not valid");
        assertInvalid(() -> search("cursor", Base64.getUrlEncoder().encodeToString("e1.1.2.3.-1".getBytes())), "cursor is not valid");
        assertInvalid(() -> search("limit", 0), "limit must be from 1 to 500; got 0");
        assertInvalid(() -> search("limit", 501), "limit must be from 1 to 500; got 501");
        assertInvalid(() -> search("type", "nope"), "type must be one of");
        assertInvalid(() -> search("status", "abc"), "--status");
        assertInvalid(() -> search("from_ms", base + 3 * HOUR + 1), "from_ms (" + (base + 3 * HOUR + 1) + ") must not be after until_ms");
        assertInvalid(() -> call("Search", Map.of("from_ms", 0, "until_ms", 31 * 86_400_000L + 1)), "from_ms to until_ms must span at most 31 days");
        assertInvalid(() -> call("Search", Map.of("from_ms", Long.MIN_VALUE, "until_ms", Long.MAX_VALUE)), "at most 31 days");
        assertThat(call("Search", Map.of("from_ms", 0, "until_ms", 31 * 86_400_000L)).get("events")).isEmpty();
        assertInvalid(() -> call("Stats", Map.of("buckets", 0)), "buckets must be from 1 to 1000; got 0");
        assertInvalid(() -> call("Stats", Map.of("top", 101)), "top must be from 1 to 100; got 101");
        assertInvalid(() -> call("Stats", Map.of("from_ms", 5, "until_ms", 4)), "must not be after until_ms");
        assertInvalid(() -> call("Stats", Map.of("from_ms", 0, "until_ms", 40 * 86_400_000L)), "at most 31 days");
    }

    static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(TiyiException.class, e -> {
            assertThat(e.code()).isEqualTo(io.tiyi.ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void statsCountPerSiteAndBucketRulesClientsAndTotals() {
        long from = base + HOUR - 30_000; // straddles a partition boundary
        long until = from + 60_000;
        write(acc(from - 1, "before", "a", "9.9.9.9", "GET", "/", 200), // outside the window
                acc(from, "a1", "a", "1.1.1.1", "GET", "/", 200),
                acc(from + 9_999, "a2", "a", "1.1.1.1", "GET", "/", 200),
                acc(from + 10_000, "a3", "a", "2.2.2.2", "GET", "/", 403),
                acc(from + 35_000, "a4", "b", "2.2.2.2", "GET", "/", 403),
                acc(from + 35_000, "a5", "", "3.3.3.3", "GET", "/", 404),
                acc(until, "a6", "b", "1.1.1.1", "GET", "/", 200), // at until: the last bucket
                sec(from + 10_000, "a3", "a", "2.2.2.2", "GET", "/", "blocked", 403, List.of(942100L, 949110L, 942100L),
                        List.of("SQL Injection (old)", "Inbound anomaly", "again")),
                sec(from + 35_000, "a4", "b", "2.2.2.2", "GET", "/", "blocked", 403, List.of(942100L, 949110L),
                        List.of("SQL Injection", "Inbound anomaly")),
                sec(from + 40_000, "d1", "a", "1.1.1.1", "GET", "/", "detected", 200, List.of(920350L), List.of("Host header is an IP")),
                sec(from + 45_000, "d2", null, "4.4.4.4", "GET", "/", "blocked", 403, List.of(913100L), List.of("Scanner")));

        JsonNode s = call("Stats", Map.of("from_ms", from, "until_ms", until, "buckets", 6, "top", 10));
        assertThat(s.get("from_ms").asLong()).isEqualTo(from);
        assertThat(s.get("until_ms").asLong()).isEqualTo(until);
        assertThat(s.get("bucket_ms").asLong()).isEqualTo(10_000);
        assertThat(s.get("requests").asLong()).isEqualTo(6);
        assertThat(s.get("blocked").asLong()).isEqualTo(3);
        assertThat(s.get("detected").asLong()).isEqualTo(1);
        Map<String, String> sites = new LinkedHashMap<>();
        s.get("sites").forEach(x -> sites.put(x.get("site").asText(), x.get("requests") + " " + x.get("blocked")));
        assertThat(sites).containsExactly(
                Map.entry("", "[0,0,0,1,0,0] [0,0,0,0,1,0]"),
                Map.entry("a", "[2,1,0,0,0,0] [0,1,0,0,0,0]"),
                Map.entry("b", "[0,0,0,1,0,1] [0,0,0,1,0,0]"));
        assertThat(s.get("top_rules").toString()).isEqualTo(Json.write(List.of(
                new EventsRpc.RuleCount(942100, "SQL Injection", 2), new EventsRpc.RuleCount(949110, "Inbound anomaly", 2),
                new EventsRpc.RuleCount(913100, "Scanner", 1), new EventsRpc.RuleCount(920350, "Host header is an IP", 1))));
        assertThat(s.get("top_clients").toString()).isEqualTo(Json.write(List.of(
                new EventsRpc.ClientCount("1.1.1.1", 3, 0), new EventsRpc.ClientCount("2.2.2.2", 2, 2),
                new EventsRpc.ClientCount("3.3.3.3", 1, 0), new EventsRpc.ClientCount("4.4.4.4", 0, 1))));

        JsonNode two = call("Stats", Map.of("from_ms", from, "until_ms", until, "buckets", 7, "top", 2));
        assertThat(two.get("bucket_ms").asLong()).as("rounded up to cover the window").isEqualTo(8572);
        assertThat(two.get("sites").get(0).get("requests")).hasSize(7);
        assertThat(two.get("top_rules")).hasSize(2);
        assertThat(two.get("top_clients")).hasSize(2);

        JsonNode a = call("Stats", Map.of("from_ms", from, "until_ms", until, "buckets", 6, "site", "a"));
        assertThat(a.get("requests").asLong()).isEqualTo(3);
        assertThat(a.get("blocked").asLong()).isEqualTo(1);
        assertThat(a.get("detected").asLong()).isEqualTo(1);
        assertThat(a.get("sites")).hasSize(1);
        assertThat(a.get("sites").get(0).get("site").asText()).isEqualTo("a");
        List<Long> rules = new ArrayList<>();
        a.get("top_rules").forEach(r -> rules.add(r.get("rule_id").asLong()));
        assertThat(rules).containsExactly(920350L, 942100L, 949110L);
        assertThat(a.get("top_rules").get(1).get("message").asText()).isEqualTo("SQL Injection (old)");
        Map<String, String> clients = new HashMap<>();
        a.get("top_clients").forEach(c -> clients.put(c.get("client_ip").asText(), c.get("requests") + "/" + c.get("blocked")));
        assertThat(clients).containsOnly(Map.entry("1.1.1.1", "2/0"), Map.entry("2.2.2.2", "1/1"));
    }

    @Test
    void statsDefaultToTheLastHourInSixtyBuckets() {
        long now = System.currentTimeMillis();
        write(acc(now - 2 * HOUR, "old", "a", "1.1.1.1", "GET", "/", 200), acc(now - 1000, "new", "a", "1.1.1.1", "GET", "/", 200));
        JsonNode s = call("Stats", Map.of());
        assertThat(s.get("until_ms").asLong() - s.get("from_ms").asLong()).isEqualTo(HOUR);
        assertThat(s.get("bucket_ms").asLong()).isEqualTo(60_000);
        assertThat(s.get("requests").asLong()).isEqualTo(1);
        assertThat(s.get("sites").get(0).get("requests")).hasSize(60);
        assertThat(s.get("top_rules")).isEmpty();
    }
}
