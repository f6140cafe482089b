package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpServer;
import io.tiyi.internal.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tiyi events list} against a stand-in for the node's EventsService: a table per event
 * type on a terminal, with the columns an analyst reads; the JSON as the node sent it otherwise.
 */
class EventsTableTest {
    static final long TS = 1_796_000_000_123L;
    static final String LONG_PATH = "/api/v1/products/search?category=" + "shoes".repeat(20) + "&q=1%27%20UNION%20SELECT%20password";

    @TempDir
    Path dir;
    HttpServer api;
    final List<String> requests = new ArrayList<>();
    String answer;

    static JsonNode security() throws IOException {
        return Json.MAPPER.readTree("""
                {"type":"security","ts":%d,"request_id":"r-7Hq2","client_ip":"203.0.113.9","peer":"10.0.0.2","site":"shop",
                 "method":"GET","host":"shop.example","path":"%s","action":"blocked","status":403,
                 "rule_ids":[942100,949110,980170],
                 "messages":["SQL Injection Attack Detected via libinjection\\r\\n\\u001b[31mforged line","Inbound Anomaly Score Exceeded (Total Score: 5)","x"],
                 "matched":"ARGS:q=1' UNION SELECT password","anomaly_score":5}
                """.formatted(TS, LONG_PATH));
    }

    static JsonNode access() throws IOException {
        return Json.MAPPER.readTree("""
                {"type":"access","ts":%d,"request_id":"r-8","client_ip":"198.51.100.4","peer":"198.51.100.4","method":"POST",
                 "host":"shop.example","path":"/cart\\u001b]0;pwned\\u0007","status":200,"bytes":512,"site":"shop",
                 "upstream":"http://10.0.0.5:8080","upstream_ms":3,"total_ms":4}
                """.formatted(TS + 1000));
    }

    @BeforeEach
    void start() throws IOException {
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/rpc/tiyi.v1.EventsService/List", ex -> {
            requests.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("content-type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        api.start();
    }

    @AfterEach
    void stop() {
        api.stop(0);
    }

    record Run(int code, String out, String err) {}

    Run events(boolean terminal, String... args) {
        List<String> a = new ArrayList<>(List.of("events", "list", "--api", "http://127.0.0.1:" + api.getAddress().getPort(),
                "--state-dir", dir.resolve("none").toString()));
        a.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TiyiCli.run(a.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
                Map.of("XDG_CONFIG_HOME", dir.toString()), terminal);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    void answer(JsonNode... events) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (JsonNode e : events) {
            arr.add(e);
        }
        answer = Json.write(Map.of("events", arr, "dropped", 0));
    }

    static List<String> columns(String header) {
        return List.of(header.trim().split("\\s{2,}"));
    }

    @Test
    void securityEventsAreATableOfWhatTheWafSawAndDid() throws IOException {
        answer(security());
        Run r = events(true, "--type", "security");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(requests.get(0)).contains("\"type\":\"security\"");
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(columns(lines.get(0))).containsExactly("TIME", "SITE", "CLIENT", "METHOD", "PATH", "STATUS", "ACTION", "RULES", "SCORE",
                "REQUEST ID", "MESSAGE");
        List<String> row = columns(lines.get(1));
        assertThat(row).hasSize(11);
        assertThat(row.subList(0, 4)).containsExactly(Table.localTime(TS), "shop", "203.0.113.9", "GET");
        assertThat(row.subList(5, 11)).containsExactly("403", "blocked", "942100,949110,980170", "5", "r-7Hq2",
                "SQL Injection Attack Detected via libinjection\\r\\n\\e[31mforged line (+2 more)");
        assertThat(Table.localTime(TS)).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
        // The path keeps its route and its end, where the payload usually is.
        assertThat(row.get(4)).hasSize(48).startsWith("/api/v1/products/search").contains("...").endsWith("SELECT%20password");
        assertThat(r.out()).doesNotContain("\r", "\u001b");
    }

    @Test
    void accessEventsKeepColumnsOfTheirOwn() throws IOException {
        answer(access());
        Run r = events(true);
        assertThat(requests.get(0)).contains("\"type\":\"access\"");
        List<String> lines = r.out().lines().toList();
        assertThat(columns(lines.get(0))).containsExactly("TIME", "SITE", "CLIENT", "METHOD", "HOST", "PATH", "STATUS", "BYTES", "MS",
                "UPSTREAM", "REQUEST ID");
        assertThat(columns(lines.get(1))).containsExactly(Table.localTime(TS + 1000), "shop", "198.51.100.4", "POST", "shop.example",
                "/cart\\e]0;pwned\\x07", "200", "512", "4", "http://10.0.0.5:8080", "r-8");
    }

    @Test
    void mixedTypesEachGetTheirOwnTableUnderAHeading() throws IOException {
        ArrayNode events = Json.MAPPER.createArrayNode().add(security()).add(access()).add(security());
        ((com.fasterxml.jackson.databind.node.ObjectNode) events.get(2)).put("agent", "ag-5ed63347c142");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        EventTables.print(new PrintStream(b, true, StandardCharsets.UTF_8), events);
        List<String> lines = b.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0)).isEqualTo("security events (2)");
        assertThat(columns(lines.get(1))).containsSubsequence("SITE", "AGENT", "CLIENT");
        assertThat(lines.get(3)).contains("ag-5ed63347c142");
        assertThat(lines.get(4)).isEmpty();
        assertThat(lines.get(5)).isEqualTo("access events (1)");
        assertThat(columns(lines.get(6))).contains("UPSTREAM").doesNotContain("RULES");
        assertThat(lines).hasSize(8);
    }

    @Test
    void jsonIsWhatTheNodeSentWhenPipedOrAskedFor() throws IOException {
        answer(security(), access());
        JsonNode sent = Json.MAPPER.readTree(answer).get("events");
        Run piped = events(false, "--type", "security");
        Run asked = events(true, "--type", "security", "--output", "json");
        assertThat(Json.MAPPER.readTree(piped.out())).isEqualTo(sent);
        assertThat(asked.out()).isEqualTo(piped.out());
        assertThat(piped.out()).containsIgnoringCase("\\r\\n\\u001b[31m").doesNotContain("\u001b");
    }

    @Test
    void noEventsSaysSo() {
        answer();
        Run r = events(true, "--type", "security", "--since", "10m", "--site", "shop");
        assertThat(r.out()).isEqualTo("no security events of site shop since 10m" + System.lineSeparator());
    }
}
