package io.tiyi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tiyi.TiyiException;
import io.tiyi.events.EventLog;
import io.tiyi.events.SecurityEvent;
import io.tiyi.events.ShippedSecurityEvents;
import io.tiyi.internal.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code EventsService/Ingest} over a real event log, called through the registry as the RPC handler does for an agent. */
class EventIngestTest {
    @TempDir
    Path dir;

    EventLog log;
    RpcRegistry registry;

    @BeforeEach
    void open() {
        log = new EventLog(dir, () -> 14);
        registry = new RpcRegistry();
        registry.register(new EventsRpc(log));
    }

    @AfterEach
    void close() {
        log.close();
    }

    static SecurityEvent blocked(String id, long ts) {
        return new SecurityEvent(ts, id, "203.0.113.7", "10.0.0.5", "shop", "GET", "shop.test", "/?q=1' or '1'='1", "blocked", 403,
                List.of(942100L, 949110L), List.of("SQL Injection", "Inbound Anomaly Score Exceeded"), "ARGS:q=1' or '1'='1", 5);
    }

    /** An event as the agent sends it: the log line of its SecurityEvent. */
    static ObjectNode wire(SecurityEvent e) {
        return Json.MAPPER.valueToTree(e);
    }

    JsonNode ingest(String agent, Object events) {
        RpcMethod<?> m = registry.find("tiyi.v1.EventsService/Ingest").orElseThrow();
        assertThat(m.access()).as("agents only").isEqualTo(Access.AGENT);
        assertThat(m.mutating()).as("a read-only node an agent follows takes events too").isFalse();
        return call(m, agent, Map.of("events", events));
    }

    static <Q> JsonNode call(RpcMethod<Q> m, String agent, Map<String, ?> request) {
        Q q = Json.MAPPER.convertValue(request, m.requestType());
        return Json.MAPPER.valueToTree(m.handler().call(new RpcContext(null, "10.0.0.9", agent), q));
    }

    String refusal(Object events) {
        assertThat(log.written()).isZero();
        try {
            ingest("ag-1", events);
        } catch (TiyiException e) {
            assertThat(e.code().wireName()).isEqualTo("invalid_argument");
            log.flush();
            assertThat(log.written()).as("a refused batch writes nothing").isZero();
            return e.getMessage();
        }
        throw new AssertionError("the batch was taken: " + events);
    }

    @Test
    void aShippedEventIsWrittenWithTheAgentsIdAndFoundAndCountedLikeALocalOne() throws Exception {
        long now = System.currentTimeMillis();
        JsonNode r = ingest("ag-7", List.of(wire(blocked("r1", now - 1000)), wire(blocked("r2", now - 500))));
        assertThat(r.get("accepted").asInt()).isEqualTo(2);
        assertThat(r.get("dropped").asInt()).isZero();
        log.flush();

        JsonNode page = call(registry.find("tiyi.v1.EventsService/Search").orElseThrow(), null, Map.of("request_id", "r1"));
        assertThat(page.get("events")).hasSize(1);
        JsonNode e = page.get("events").get(0);
        assertThat(e.get("agent").asText()).isEqualTo("ag-7");
        assertThat(e.get("type").asText()).isEqualTo("security");
        assertThat(e.get("site").asText()).isEqualTo("shop");
        assertThat(e.get("rule_ids")).hasSize(2);

        JsonNode stats = call(registry.find("tiyi.v1.EventsService/Stats").orElseThrow(), null, Map.of("site", "shop"));
        assertThat(stats.get("blocked").asLong()).isEqualTo(2);
        assertThat(stats.get("top_rules").get(0).get("count").asLong()).isEqualTo(2);
        assertThat(stats.get("top_clients").get(0).get("client_ip").asText()).isEqualTo("203.0.113.7");

        // The line on disk is the event's own fields, in name order like every other line, plus the agent.
        String line;
        try (var files = Files.list(dir)) {
            line = Files.readAllLines(files.filter(f -> f.getFileName().toString().startsWith("security-")).findFirst().orElseThrow()).get(0);
        }
        ObjectNode expected = wire(blocked("r1", now - 1000));
        expected.put("agent", "ag-7");
        assertThat(Json.MAPPER.readTree(line)).isEqualTo(Json.MAPPER.readTree(Json.write(expected)));
        assertThat(line).startsWith("{\"action\":\"blocked\",\"agent\":\"ag-7\",\"anomaly_score\":5,");
    }

    @Test
    void aBadEventIsRefusedNamingItsFieldAndNothingOfTheBatchIsWritten() {
        long now = System.currentTimeMillis();
        ObjectNode noSite = wire(blocked("r2", now));
        noSite.remove("site");
        assertThat(refusal(List.of(wire(blocked("r1", now)), noSite))).isEqualTo("events[1].site is missing");

        ObjectNode access = wire(blocked("r1", now));
        access.put("type", "access");
        assertThat(refusal(List.of(access))).contains("events[0].type must be 'security'");

        ObjectNode spoofed = wire(blocked("r1", now));
        spoofed.put("agent", "someone-else");
        assertThat(refusal(List.of(spoofed))).contains("events[0]: unknown field 'agent'");

        ObjectNode badIds = wire(blocked("r1", now));
        badIds.putArray("rule_ids").add("942100");
        assertThat(refusal(List.of(badIds))).isEqualTo("events[0].rule_ids[0] must be an integer");

        ObjectNode longPath = wire(blocked("r1", now));
        longPath.put("path", "/" + "a".repeat(ShippedSecurityEvents.MAX_PATH));
        assertThat(refusal(List.of(longPath))).isEqualTo("events[0].path is 8193 characters; at most 8192");

        ObjectNode action = wire(blocked("r1", now));
        action.put("action", "allowed");
        assertThat(refusal(List.of(action))).contains("events[0].action must be 'blocked' or 'detected'");

        ObjectNode future = wire(blocked("r1", now + 3 * 3_600_000L));
        assertThat(refusal(List.of(future))).contains("events[0].ts is").contains("ahead of this control plane's clock");

        assertThat(refusal(List.of("not an event"))).contains("events[0] must be a JSON object");
    }

    @Test
    void aBatchOverAThousandEventsIsRefused() {
        List<ObjectNode> many = new ArrayList<>();
        for (int i = 0; i <= ShippedSecurityEvents.MAX_BATCH; i++) {
            many.add(wire(blocked("r" + i, System.currentTimeMillis())));
        }
        assertThat(refusal(many)).isEqualTo("events has 1001 entries; at most 1000 a batch: send smaller batches");
        assertThatThrownBy(() -> call(registry.find("tiyi.v1.EventsService/Ingest").orElseThrow(), "ag-1", Map.of()))
                .hasMessage("events or traffic is required: a list of security events, a list of {site, minute_ms, requests}");
    }

    static Map<String, Object> minute(String site, long minuteMs, long requests) {
        return Map.of("site", site, "minute_ms", minuteMs, "requests", requests);
    }

    String trafficRefusal(List<?> traffic) {
        try {
            call(registry.find("tiyi.v1.EventsService/Ingest").orElseThrow(), "ag-1", Map.of("events", List.of(), "traffic", traffic));
        } catch (TiyiException e) {
            assertThat(e.code().wireName()).isEqualTo("invalid_argument");
            log.flush();
            assertThat(log.written()).as("a refused batch writes nothing").isZero();
            return e.getMessage();
        }
        throw new AssertionError("the batch was taken: " + traffic);
    }

    @Test
    void shippedRequestCountsAreAddedToTheRequestsOfTheirMinutesBucketButNotToTopClients() throws Exception {
        long now = System.currentTimeMillis();
        long minute = now / 60_000 * 60_000 - 10 * 60_000;
        // The node's own data plane served one request in that minute too.
        log.offer(new io.tiyi.events.AccessEvent(minute + 5, "own", "198.51.100.1", "198.51.100.1", "GET", "shop.test", "/", 200, 1, "shop",
                "", -1, 1));
        JsonNode r = call(registry.find("tiyi.v1.EventsService/Ingest").orElseThrow(), "ag-7",
                Map.of("traffic", List.of(minute("shop", minute, 40), minute("blog", minute + 60_000, 2))));
        assertThat(r.get("accepted").asInt()).as("no events").isZero();
        assertThat(r.get("traffic_accepted").asInt()).isEqualTo(2);
        log.flush();

        JsonNode stats = call(registry.find("tiyi.v1.EventsService/Stats").orElseThrow(), null,
                Map.of("from_ms", minute - 60_000, "until_ms", minute + 5 * 60_000, "buckets", 6));
        assertThat(stats.get("requests").asLong()).isEqualTo(43);
        JsonNode shop = stats.get("sites").get(1);
        assertThat(shop.get("site").asText()).isEqualTo("shop");
        assertThat(shop.get("requests").get(1).asLong()).as("the minute's bucket").isEqualTo(41);
        assertThat(stats.get("sites").get(0).get("requests").get(2).asLong()).isEqualTo(2);
        assertThat(stats.get("top_clients")).as("from access events only").hasSize(1);
        assertThat(stats.get("top_clients").get(0).get("requests").asLong()).isEqualTo(1);
        assertThat(call(registry.find("tiyi.v1.EventsService/Stats").orElseThrow(), null,
                Map.of("site", "blog", "from_ms", minute - 60_000, "until_ms", minute + 5 * 60_000)).get("requests").asLong()).isEqualTo(2);

        String line;
        try (var files = Files.list(dir)) {
            line = Files.readAllLines(files.filter(f -> f.getFileName().toString().startsWith("traffic-")).sorted().findFirst().orElseThrow())
                    .get(0);
        }
        assertThat(line).isEqualTo("{\"agent\":\"ag-7\",\"requests\":40,\"site\":\"shop\",\"ts\":" + minute + ",\"type\":\"traffic\"}");
        assertThatThrownBy(() -> call(registry.find("tiyi.v1.EventsService/List").orElseThrow(), null, Map.of("type", "traffic")))
                .as("not a type users list").hasMessageContaining("--type must be one of");
    }

    @Test
    void aBadTrafficEntryIsRefusedNamingItsFieldAndNothingOfTheBatchIsWritten() {
        long now = System.currentTimeMillis();
        long m = now / 60_000 * 60_000;
        assertThat(trafficRefusal(List.of(minute("shop", m, 1), minute("shop", m, 1), minute("shop", m, 0))))
                .isEqualTo("traffic[2].requests must be from 1 to 1000000000; got 0");
        assertThat(trafficRefusal(List.of(minute("shop", m, 1_000_000_001L)))).startsWith("traffic[0].requests must be from 1 to 1000000000");
        assertThat(trafficRefusal(List.of(minute("shop", m + 1, 1)))).isEqualTo(
                "traffic[0].minute_ms must be a minute's start: a positive multiple of 60000 ms; got " + (m + 1));
        assertThat(trafficRefusal(List.of(minute("shop", 0, 1)))).startsWith("traffic[0].minute_ms must be a minute's start");
        assertThat(trafficRefusal(List.of(minute("shop", m + 2 * 3_600_000L, 1)))).contains("traffic[0].minute_ms is")
                .contains("ahead of this control plane's clock");
        assertThat(trafficRefusal(List.of(minute("s".repeat(1025), m, 1)))).isEqualTo("traffic[0].site is 1025 characters; at most 1024");
        assertThat(trafficRefusal(List.of(Map.of("minute_ms", m, "requests", 1)))).isEqualTo("traffic[0].site is missing");
        assertThat(trafficRefusal(List.of(Map.of("site", "shop", "minute_ms", "soon", "requests", 1))))
                .isEqualTo("traffic[0].minute_ms must be an integer");
        assertThat(trafficRefusal(List.of(Map.of("site", "shop", "minute_ms", m, "requests", 1, "agent", "someone-else"))))
                .startsWith("traffic[0]: unknown field 'agent'");
        assertThat(trafficRefusal(List.of("not an entry"))).startsWith("traffic[0] must be a JSON object");
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i <= io.tiyi.events.TrafficEvent.MAX_BATCH; i++) {
            many.add(minute("s" + i, m, 1));
        }
        assertThat(trafficRefusal(many)).isEqualTo("traffic has 10001 entries; at most 10000 a batch: send smaller batches");

        // A bad entry refuses the events beside it too: the agent sends them again as one batch.
        ObjectNode ok = wire(blocked("r1", now));
        assertThatThrownBy(() -> call(registry.find("tiyi.v1.EventsService/Ingest").orElseThrow(), "ag-1",
                Map.of("events", List.of(ok), "traffic", List.of(minute("shop", m, 0))))).hasMessageStartingWith("traffic[0].requests");
        log.flush();
        assertThat(log.written()).isZero();
    }
}
