package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever a node answers, the CLI prints no character a terminal acts on: values in tables, in
 * one-line results, in error messages and in JSON come out escaped. The node is a stand-in that
 * answers with hostile strings, as a compromised or older node could.
 */
class TerminalOutputTest {
    /** A clear screen, a window-title change, a C1 CSI, a forged line and a right-to-left override. */
    static final String HOSTILE = "a\u001b[2J\u001b]0;pwned\u0007\u009b31m\r\nERROR forged\u202eevil\u007f";

    @TempDir
    Path dir;
    HttpServer api;
    final Map<String, String> answers = new HashMap<>();

    @BeforeEach
    void start() throws IOException {
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/rpc/", ex -> {
            String method = ex.getRequestURI().getPath().substring("/rpc/tiyi.v1.".length());
            String answer = answers.get(method);
            int status = answer == null ? 400 : 200;
            byte[] body = (answer != null ? answer : Json.write(Map.of("code", "invalid_argument", "message", "refused " + HOSTILE)))
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("content-type", "application/json");
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        api.start();
        Map<String, Object> site = new HashMap<>();
        site.put("name", "shop" + HOSTILE);
        site.put("hosts", List.of("shop.example.com", HOSTILE));
        site.put("upstreams", List.of("http://10.0.0.1:80"));
        site.put("lb", "round_robin");
        site.put("health_path", "/" + HOSTILE);
        site.put("routes", List.of(Map.of("path_prefix", "/api" + HOSTILE, "upstreams", List.of("http://10.0.0.2:80"), "lb", "round_robin")));
        answers.put("SitesService/Get", Json.write(site));
        answers.put("SystemService/GetSetting", Json.write(Map.of("key", "siem.address", "value", "udp://" + HOSTILE)));
    }

    @AfterEach
    void stop() {
        api.stop(0);
    }

    record Run(int code, String out, String err) {}

    Run cli(boolean terminal, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--api", "http://127.0.0.1:" + api.getAddress().getPort(), "--state-dir", dir.resolve("none").toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TiyiCli.run(a.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
                Map.of("XDG_CONFIG_HOME", dir.toString()), terminal);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Nothing but line ends that the CLI wrote itself. */
    static void assertPrintable(String printed) {
        assertThat(printed.chars().filter(c -> c != '\n' && (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029))).as(printed).isEmpty();
    }

    static final String ESCAPED = "a\\e[2J\\e]0;pwned\\x07\\x9b31m\\r\\nERROR forged\\u202eevil\\x7f";

    @Test
    void tablesEscapeEveryCell() {
        Run r = cli(true, "sites", "show", "--name", "shop");
        assertThat(r.code()).as(r.err()).isZero();
        assertPrintable(r.out());
        assertThat(r.out()).contains("shop" + ESCAPED, "/api" + ESCAPED, "/" + ESCAPED);
        assertThat(r.out().lines().filter(l -> l.startsWith("ERROR"))).as("no forged line").isEmpty();
    }

    @Test
    void oneLineResultsAreEscaped() {
        Run r = cli(true, "system", "settings", "get", "--key", "siem.address");
        assertThat(r.code()).as(r.err()).isZero();
        assertPrintable(r.out());
        assertThat(r.out()).isEqualTo("udp://" + ESCAPED + "\n");
    }

    @Test
    void errorMessagesFromTheNodeAreEscaped() {
        Run r = cli(true, "sites", "delete", "--name", "shop");
        assertThat(r.code()).isNotZero();
        assertPrintable(r.err());
        assertThat(r.err().lines().toList()).hasSize(1).first().asString().startsWith("ERROR refused " + ESCAPED);
    }

    @Test
    void jsonEscapesWhatATerminalActsOnAndStillReadsBackTheSame() throws IOException {
        Run r = cli(false, "sites", "show", "--name", "shop", "--output", "json");
        assertThat(r.code()).as(r.err()).isZero();
        assertPrintable(r.out());
        assertThat(r.out()).contains("\\u009b", "\\u202e", "\\u007F");
        JsonNode back = Json.MAPPER.readTree(r.out());
        assertThat(back.get("name").asText()).isEqualTo("shop" + HOSTILE);
    }
}
