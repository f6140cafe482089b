package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tiyi.siem.Rsyslog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SIEM issue's acceptance with the real jar and a real rsyslog: the four settings commands,
 * {@code tiyi siem test} landing in rsyslog's file, and a request blocked by CRS through an agent
 * process arriving there with its rule id; then the CLI's error when the receiver is gone.
 */
class SiemCliIT {
    private static final Pattern AGENT_READY = Pattern.compile("^INFO tiyi agent (ag-[0-9a-f]+) ready");
    private static final Pattern TEST_ID = Pattern.compile("^test event (\\S+) written to ");

    @TempDir
    Path dir;

    static String get(int port, String host, String pathAndQuery) throws IOException {
        return TrustCliIT.rawGet(port, host, pathAndQuery, "");
    }

    @Test
    void settingsTestEventAndABlockedRequestLandInRsyslog() throws Exception {
        Path crs = ConformanceIT.CRS;
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(crs.resolve("rules")) || "1".equals(System.getenv(
                "TIYI_REQUIRE_EXTERNAL")), "CRS not found at " + crs);
        HttpServer up = ProxyCliIT.upstream("from-up");
        Path state = dir.resolve("a");
        try (Rsyslog rs = Rsyslog.start(dir.resolve("rsyslog"));
                TiyiProcess server = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
                        "--https-addr", "127.0.0.1:0", "--state-dir", state.toString())) {
            String url = server.awaitReady(Duration.ofSeconds(60));
            Map<String, String> env = Map.of("TIYI_STATE_DIR", state.toString(), "TIYI_API", url);
            AgentProcessIT.cli(env, "system", "settings", "update", "--key", "waf.crs_dir", "--value", crs.toString());
            AgentProcessIT.cli(env, "sites", "create", "--name", "demo", "--host", "siem.test", "--upstream",
                    "http://127.0.0.1:" + up.getAddress().getPort());
            AgentProcessIT.cli(env, "waf", "set", "--site", "demo", "--mode", "block");

            // The production guide's four commands, then the checklist's test event.
            AgentProcessIT.cli(env, "system", "settings", "update", "--key", "siem.enabled", "--value", "true");
            AgentProcessIT.cli(env, "system", "settings", "update", "--key", "siem.address", "--value", "tcp://127.0.0.1:" + rs.tcpPort());
            AgentProcessIT.cli(env, "system", "settings", "update", "--key", "siem.format", "--value", "rfc5424");
            AgentProcessIT.cli(env, "system", "settings", "update", "--key", "siem.filter.include_audit", "--value", "true");
            TiyiProcess test = AgentProcessIT.cli(env, "siem", "test", "--output", "table");
            Matcher m = TEST_ID.matcher(test.output());
            assertThat(m.find()).as(test.output()).isTrue();
            String id = m.group(1);
            Rsyslog.Received landed = rs.await(r -> "test".equals(r.msgid()) && r.raw().contains(id), Duration.ofSeconds(10));
            assertThat(landed.app()).isEqualTo("tiyi");
            assertThat(landed.structuredData()).contains("id=\"" + id + "\"");
            // The audit entry of the include_audit change itself went out under it.
            rs.await(r -> "audit".equals(r.msgid()) && r.raw().contains("siem.filter.include_audit"), Duration.ofSeconds(10));

            String token = AgentProcessIT.json(env, "agents", "issue-token", "--tag", "edge").get("token").asText();
            try (TiyiProcess agent = TiyiProcess.start(Map.of(), "agent", "--api", url, "--enrollment-token", token, "--state-dir",
                    dir.resolve("c").toString(), "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0")) {
                String agentId = agent.awaitLine(AGENT_READY, Duration.ofSeconds(60));
                int port = agent.dataPlanePort();
                AgentProcessIT.awaitBody(port, "siem.test", "from-up");
                String blocked = get(port, "siem.test", "/?q=1%27%20or%20%271%27=%271");
                assertThat(blocked).startsWith("HTTP/1.1 403");
                Matcher rid = Pattern.compile("(?im)^X-Request-Id: (\\S+)").matcher(blocked);
                assertThat(rid.find()).isTrue();
                String requestId = rid.group(1);
                Rsyslog.Received sec = rs.await(r -> "security".equals(r.msgid()) && r.raw().contains(requestId), Duration.ofSeconds(10));
                assertThat(sec.structuredData()).contains("node=\"" + agentId + "\"").contains("action=\"blocked\"")
                        .containsPattern("rule_ids=\"[0-9,]*942100[0-9,]*949110\"");
                assertThat(sec.msg()).contains("942100");

                // The receiver gone: the request path is untouched, the test says why nothing was written.
                rs.stop();
                assertThat(get(port, "siem.test", "/")).startsWith("HTTP/1.1 200");
                TiyiProcess failed = TiyiProcess.run(env, null, "siem", "test");
                assertThat(failed.exitCode()).isEqualTo(1);
                assertThat(failed.output()).contains("ERROR the test event was not written to tcp://127.0.0.1:" + rs.tcpPort())
                        .containsIgnoringCase("refused");
                TiyiProcess status = AgentProcessIT.cli(env, "siem", "status", "--output", "table");
                assertThat(status.output()).contains("tcp://127.0.0.1:" + rs.tcpPort()).contains("last error");
            }
        } finally {
            up.stop(0);
        }
    }
}
