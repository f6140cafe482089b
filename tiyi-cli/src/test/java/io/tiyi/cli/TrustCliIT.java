package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust profile issue's acceptance with the real jar: {@code tiyi trust set|show|test|cdn list},
 * a request claiming a client IP through an agent from an untrusted peer, and the Origin Bypass
 * Attempt alert it fires on the primary; and the CLI's errors.
 */
class TrustCliIT {
    private static final Pattern AGENT_READY = Pattern.compile("^INFO tiyi agent (ag-[0-9a-f]+) ready");

    @TempDir
    Path dir;

    static String getWithXff(int port, String host, String xff) throws IOException {
        return rawGet(port, host, "/", "X-Forwarded-For: " + xff + "\r\n");
    }

    /** A GET written by hand to the data plane on {@code port}, with header lines (each ending in CRLF); the whole response. */
    static String rawGet(int port, String host, String pathAndQuery, String headerLines) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\n" + headerLines + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void trustProfileCliAndTheOriginBypassAlert() throws Exception {
        HttpServer up = ProxyCliIT.upstream("from-up");
        Path state = dir.resolve("a");
        try (TiyiProcess server = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--https-addr",
                "127.0.0.1:0", "--state-dir", state.toString())) {
            String url = server.awaitReady(Duration.ofSeconds(60));
            Map<String, String> env = Map.of("TIYI_STATE_DIR", state.toString(), "TIYI_API", url);
            AgentProcessIT.cli(env, "sites", "create", "--name", "demo", "--host", "trust.test", "--upstream",
                    "http://127.0.0.1:" + up.getAddress().getPort());

            TiyiProcess set = AgentProcessIT.cli(env, "trust", "set", "--trusted-proxies", "10.0.0.0/8,172.16.0.0/12", "--client-ip-headers",
                    "X-Forwarded-For", "--output", "table");
            assertThat(set.output()).contains("10.0.0.0/8, 172.16.0.0/12").contains("X-Forwarded-For");
            TiyiProcess behind = AgentProcessIT.cli(env, "trust", "test", "--peer", "10.0.0.5", "--header", "X-Forwarded-For: 1.2.3.4, 10.0.0.5",
                    "--output", "table");
            assertThat(behind.output()).startsWith("client 1.2.3.4\n").contains("10.0.0.0/8");
            TiyiProcess direct = AgentProcessIT.cli(env, "trust", "test", "--peer", "203.0.113.9", "--header", "X-Forwarded-For: 1.2.3.4",
                    "--output", "table");
            assertThat(direct.output()).startsWith("client 203.0.113.9 (origin bypass attempt)");
            JsonNode cdn = AgentProcessIT.json(env, "trust", "cdn", "list", "--output", "json");
            assertThat(cdn.findValuesAsText("provider")).containsExactly("cloudflare", "fastly");
            for (JsonNode p : cdn) {
                assertThat(p.get("ranges").asInt()).isGreaterThan(5);
            }

            // Errors say what is wrong and exit non-zero.
            TiyiProcess badCidr = TiyiProcess.run(env, null, "trust", "set", "--trusted-proxies", "10.0.0.0/33");
            assertThat(badCidr.exitCode()).isNotZero();
            assertThat(badCidr.output()).contains("trusted_proxies").contains("10.0.0.0/33");
            TiyiProcess nothing = TiyiProcess.run(env, null, "trust", "set");
            assertThat(nothing.exitCode()).isEqualTo(2);
            assertThat(nothing.output()).contains("nothing to set");
            TiyiProcess noPeer = TiyiProcess.run(env, null, "trust", "test", "--header", "X-Forwarded-For: 1.2.3.4");
            assertThat(noPeer.exitCode()).isEqualTo(2);
            assertThat(noPeer.output()).contains("--peer");
            TiyiProcess badHeader = TiyiProcess.run(env, null, "trust", "test", "--peer", "10.0.0.5", "--header", "no colon");
            assertThat(badHeader.exitCode()).isNotZero();
            assertThat(badHeader.output()).contains("Name: value");
            TiyiProcess noProvider = TiyiProcess.run(env, null, "trust", "cdn", "refresh");
            assertThat(noProvider.exitCode()).isEqualTo(2);
            assertThat(noProvider.output()).contains("cloudflare|fastly");
            TiyiProcess badProvider = TiyiProcess.run(env, null, "trust", "cdn", "refresh", "akamai");
            assertThat(badProvider.exitCode()).isNotZero();
            assertThat(badProvider.output()).contains("unknown CDN provider 'akamai'");
            TiyiProcess badAlert = TiyiProcess.run(env, null, "alerts", "show", "x");
            assertThat(badAlert.exitCode()).isEqualTo(2);
            assertThat(badAlert.output()).contains("an alert id is a number");

            // A request from 127.0.0.1 (not a trusted proxy) claiming a client IP, through an agent.
            String token = AgentProcessIT.json(env, "agents", "issue-token", "--tag", "edge").get("token").asText();
            try (TiyiProcess agent = TiyiProcess.start(Map.of(), "agent", "--api", url, "--enrollment-token", token, "--state-dir",
                    dir.resolve("c").toString(), "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0")) {
                agent.awaitLine(AGENT_READY, Duration.ofSeconds(60));
                int port = agent.dataPlanePort();
                AgentProcessIT.awaitBody(port, "trust.test", "from-up");
                assertThat(getWithXff(port, "trust.test", "1.2.3.4")).startsWith("HTTP/1.1 200");
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                JsonNode alerts = AgentProcessIT.json(env, "alerts", "list", "--output", "json");
                while (alerts.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                    alerts = AgentProcessIT.json(env, "alerts", "list", "--output", "json");
                }
                assertThat(alerts).hasSize(1);
                assertThat(alerts.get(0).get("title").asText()).isEqualTo("Origin Bypass Attempt");
                assertThat(AgentProcessIT.cli(env, "alerts", "list", "--output", "table").output()).contains("Origin Bypass Attempt");
                assertThat(AgentProcessIT.cli(env, "alerts", "rules", "list", "--output", "table").output())
                        .contains("origin-bypass-attempt").contains("300s");
                AgentProcessIT.cli(env, "alerts", "ack", alerts.get(0).get("id").asText());
                assertThat(AgentProcessIT.json(env, "alerts", "list", "--unacked", "--output", "json")).isEmpty();
            }
        } finally {
            up.stop(0);
        }
    }
}
