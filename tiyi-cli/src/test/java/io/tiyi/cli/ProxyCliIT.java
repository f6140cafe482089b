package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.tiyi.internal.Json;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sites and events through the real CLI and a real node's data plane. */
class ProxyCliIT {
    @TempDir
    Path dir;

    static HttpServer upstream(String body) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        s.start();
        return s;
    }

    static String get(int port, String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void siteCreatedFromTheCliServesTrafficAndLogsIt() throws Exception {
        HttpServer one = upstream("from-one");
        Path state = dir.resolve("state");
        try (TiyiProcess server = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
                "--https-addr", "127.0.0.1:0", "--state-dir", state.toString())) {
            String url = server.awaitReady(Duration.ofSeconds(60));
            int port = server.dataPlanePort();
            Map<String, String> env = Map.of("TIYI_STATE_DIR", state.toString(), "TIYI_API", url);
            TiyiProcess create = TiyiProcess.run(env, null, "sites", "create", "--name", "demo", "--host", "localhost",
                    "--upstream", "http://127.0.0.1:" + one.getAddress().getPort(), "--output", "json");
            assertThat(create.exitCode()).as(create.output()).isZero();
            assertThat(Json.MAPPER.readTree(create.output()).get("lb").asText()).isEqualTo("round_robin");
            String body = "";
            for (int i = 0; i < 50 && !body.contains("from-one"); i++) {
                body = get(port, "localhost");
                Thread.sleep(50);
            }
            assertThat(body).startsWith("HTTP/1.1 200").contains("from-one").containsIgnoringCase("X-Request-Id:");
            assertThat(get(port, "other.test")).startsWith("HTTP/1.1 404");

            TiyiProcess bad = TiyiProcess.run(env, null, "sites", "create", "--name", "demo2", "--host", "localhost",
                    "--upstream", "http://127.0.0.1:1");
            assertThat(bad.exitCode()).isEqualTo(1);
            assertThat(bad.output()).contains("host 'localhost' already belongs to site 'demo'");

            // Events are written asynchronously: poll until both requests are there.
            JsonNode events = Json.MAPPER.createArrayNode();
            for (int i = 0; i < 40 && events.size() < 2; i++) {
                Thread.sleep(250);
                TiyiProcess list = TiyiProcess.run(env, null, "events", "list", "--since", "5m", "--output", "json");
                assertThat(list.exitCode()).isZero();
                events = Json.MAPPER.readTree(list.output());
            }
            assertThat(events.size()).isGreaterThanOrEqualTo(2);
            TiyiProcess notFound = TiyiProcess.run(env, null, "events", "list", "--since", "5m", "--status", "404", "--output", "json");
            assertThat(Json.MAPPER.readTree(notFound.output())).hasSize(1);
            TiyiProcess badSince = TiyiProcess.run(env, null, "events", "list", "--since", "yesterday");
            assertThat(badSince.exitCode()).isEqualTo(1);
            assertThat(badSince.output()).contains("--since must be a duration");
            assertThat(server.terminate()).isZero();
        } finally {
            one.stop(0);
        }
    }
}
