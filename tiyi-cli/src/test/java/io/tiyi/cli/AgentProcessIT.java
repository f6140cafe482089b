package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiClient;
import io.tiyi.internal.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code tiyi agent} process enrolled with a real {@code tiyi server}, both from the
 * runnable jar and driven with the CLI: enrollment with a single-use token, the agent's data plane
 * following site changes, and the agent serving its last good bundle while the control plane is
 * down, also across a restart.
 */
class AgentProcessIT {
    private static final Pattern AGENT_READY = Pattern.compile("^INFO tiyi agent (ag-[0-9a-f]+) ready \\(control plane http://\\S+\\)$");
    private static final Pattern AGENT_ADMIN = Pattern.compile("^INFO agent: health and metrics on (http://\\S+)$");
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static TiyiProcess cli(Map<String, String> env, String... args) throws Exception {
        TiyiProcess p = TiyiProcess.run(env, null, args);
        assertThat(p.exitCode()).as("tiyi %s:%n%s", String.join(" ", args), p.output()).isZero();
        return p;
    }

    static JsonNode json(Map<String, String> env, String... args) throws Exception {
        return Json.MAPPER.readTree(cli(env, args).output());
    }

    /** GETs / through a data plane until the body contains {@code expected}; returns the last response. */
    static String awaitBody(int port, String host, String expected) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = ProxyCliIT.get(port, host);
                if (last.startsWith("HTTP/1.1 200") && last.contains(expected)) {
                    return last;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("port " + port + " never answered '" + expected + "'; last answer:\n" + last);
    }

    static String version(JsonNode status) {
        return status.get("epoch").asLong() + "." + status.get("seq").asLong();
    }

    /** Waits until {@code agents list} shows the agent on the primary's bundle version; returns that version. */
    static String awaitAgentOnPrimaryVersion(Map<String, String> env, String agentId) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String primary = "";
        JsonNode agents = null;
        while (System.nanoTime() < deadline) {
            primary = version(json(env, "bundles", "status", "--output", "json"));
            agents = json(env, "agents", "list", "--output", "json");
            for (JsonNode a : agents) {
                if (a.get("id").asText().equals(agentId) && primary.equals(a.path("bundle_version").asText())) {
                    assertThat(a.get("lag").asLong()).isZero();
                    assertThat(a.get("health").asText()).isEqualTo("ok");
                    return primary;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("agent " + agentId + " never reported bundle " + primary + ": " + agents);
    }

    @Test
    void agentEnrollsFollowsTheControlPlaneAndKeepsServingWithoutIt() throws Exception {
        HttpServer one = ProxyCliIT.upstream("from-one");
        HttpServer two = ProxyCliIT.upstream("from-two");
        String upOne = "http://127.0.0.1:" + one.getAddress().getPort();
        String upTwo = "http://127.0.0.1:" + two.getAddress().getPort();
        Path state = dir.resolve("server");
        Path agentDir = dir.resolve("agent");
        try (TiyiProcess server = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
                "--https-addr", "127.0.0.1:0", "--state-dir", state.toString())) {
            String url = server.awaitReady(Duration.ofSeconds(60));
            Map<String, String> env = Map.of("TIYI_STATE_DIR", state.toString(), "TIYI_API", url);

            // The cluster-wide listener settings travel in the bundle: an agent started without
            // --http-addr listens where they say (the primary's own --http-addr wins on the primary).
            int bundleHttp = freePort();
            cli(env, "system", "settings", "update", "--key", "proxy.http_addr", "--value", "127.0.0.1:" + bundleHttp);
            cli(env, "system", "settings", "update", "--key", "proxy.https_addr", "--value", "127.0.0.1:" + freePort());
            cli(env, "sites", "create", "--name", "demo", "--host", "agent.test", "--upstream", upOne);

            // Rotation needs a confirmation; done before any agent enrolls, it costs nothing.
            String before = json(env, "bundles", "status", "--output", "json").get("signing_key_fingerprint").asText();
            TiyiProcess unconfirmed = TiyiProcess.run(env, null, "bundles", "rotate-signing-key");
            assertThat(unconfirmed.exitCode()).isEqualTo(2);
            assertThat(unconfirmed.output()).startsWith("ERROR not rotated:").contains("re-enrolled").contains("--yes");
            TiyiProcess rotated = cli(env, "bundles", "rotate-signing-key", "--yes", "--output", "table");
            String fingerprint = json(env, "bundles", "status", "--output", "json").get("signing_key_fingerprint").asText();
            assertThat(fingerprint).isNotEqualTo(before).startsWith("ed25519:");
            assertThat(rotated.output()).contains("now " + fingerprint + " (was " + before + ")").contains("tiyi agents issue-token")
                    .contains("--enrollment-token");

            JsonNode issued = json(env, "agents", "issue-token", "--tag", "edge-1", "--ttl", "30m");
            String token = issued.get("token").asText();
            assertThat(token).startsWith("tyt_");

            int agentHttp = freePort();
            TiyiProcess agent = TiyiProcess.start(Map.of(), "agent", "--api", url, "--enrollment-token", token, "--state-dir",
                    agentDir.toString(), "--http-addr", "127.0.0.1:" + agentHttp, "--https-addr", "127.0.0.1:0", "--addr", "127.0.0.1:0");
            TiyiProcess second = null;
            TiyiProcess third = null;
            try {
                String agentId = agent.awaitLine(AGENT_READY, Duration.ofSeconds(60));
                assertThat(agent.output()).contains("pinned bundle signing key " + fingerprint);
                for (String f : List.of("agent.json", "pin.json")) {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(agentDir.resolve(f)))).as(f).isEqualTo("rw-------");
                }

                // Enrolled, on the primary's bundle version, serving the site.
                String v = awaitAgentOnPrimaryVersion(env, agentId);
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(agentDir.resolve("bundle.json")))).isEqualTo("rw-------");
                assertThat(awaitBody(agentHttp, "agent.test", "from-one")).containsIgnoringCase("X-Request-Id:");
                assertThat(ProxyCliIT.get(agentHttp, "other.test")).startsWith("HTTP/1.1 404");
                JsonNode tokens = json(env, "agents", "tokens", "list", "--output", "json");
                JsonNode edgeToken = null;
                for (JsonNode t : tokens) {
                    if (t.get("id").asText().equals(issued.get("id").asText())) {
                        edgeToken = t;
                    }
                }
                assertThat(edgeToken).as("the token in %s", tokens).isNotNull();
                assertThat(edgeToken.get("state").asText()).isEqualTo("used");
                assertThat(edgeToken.get("used_by").asText()).isEqualTo(agentId);
                assertThat(json(env, "agents", "show", agentId, "--output", "json").get("bundle_version").asText()).isEqualTo(v);
                assertThat(cli(env, "agents", "list", "--output", "table").output()).startsWith("ID").contains(agentId).contains("edge-1")
                        .contains("127.0.0.1:" + agentHttp);

                // A site change reaches the agent.
                cli(env, "sites", "update", "--name", "demo", "--upstream", upTwo);
                awaitBody(agentHttp, "agent.test", "from-two");
                awaitAgentOnPrimaryVersion(env, agentId);

                String metrics = http.send(HttpRequest.newBuilder(URI.create(agent.awaitLine(AGENT_ADMIN, PATIENCE) + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("tiyi_agent_bundle_epoch ").contains("tiyi_agent_bundle_seq ")
                        .contains("tiyi_agent_control_plane_reachable 1.0").contains("tiyi_agent_bundle_apply_count ");
                assertThat(http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .contains("tiyi_bundle_version ").contains("tiyi_bundle_watchers ")
                        .as("the primary's own embedded agent and the edge agent").contains("tiyi_agents_connected 2.0");

                measurePropagation(state, agentHttp, upOne, upTwo);

                // A clean stop while it polls the control plane; started again with the spent token, it says the
                // token was not used and carries on as the same agent.
                assertThat(agent.terminate()).as(agent.output()).isZero();
                assertThat(agent.output()).contains("INFO tiyi stopped").doesNotContain("WARNING");
                agent = TiyiProcess.start(Map.of(), "agent", "--api", url, "--enrollment-token", token, "--state-dir", agentDir.toString(),
                        "--http-addr", "127.0.0.1:" + agentHttp, "--https-addr", "127.0.0.1:0");
                assertThat(agent.awaitLine(AGENT_READY, Duration.ofSeconds(60))).isEqualTo(agentId);
                assertThat(agent.output()).containsPattern("(?m)^WARNING agent: already enrolled as " + agentId
                        + " in .*; the enrollment token was not used");
                awaitBody(agentHttp, "agent.test", "from-two");

                // The token was spent: a second agent cannot enroll with it.
                second = TiyiProcess.start(Map.of("TIYI_ENROLLMENT_TOKEN", token), "agent", "--api", url, "--state-dir",
                        dir.resolve("agent-2").toString(), "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0");
                assertThat(second.awaitExit()).as(second.output()).isEqualTo(1);
                assertThat(second.output()).containsPattern("(?m)^ERROR the control plane at " + Pattern.quote(url)
                        + " refused the enrollment: enrollment token " + issued.get("id").asText() + " was already used \\(by agent "
                        + agentId);

                // A revoked agent is refused at once and keeps serving what it has.
                String token3 = json(env, "agents", "issue-token", "--tag", "edge-3").get("token").asText();
                third = TiyiProcess.start(Map.of(), "agent", "--api", url, "--enrollment-token", token3, "--state-dir",
                        dir.resolve("agent-3").toString(), "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0");
                String thirdId = third.awaitLine(AGENT_READY, Duration.ofSeconds(60));
                awaitAgentOnPrimaryVersion(env, thirdId);
                int thirdHttp = third.dataPlanePort();
                awaitBody(thirdHttp, "agent.test", "from-");
                long appliedBefore = third.lines.stream().filter(l -> l.startsWith("INFO agent: applied bundle")).count();
                TiyiProcess revoke = cli(env, "agents", "revoke", thirdId, "--output", "table");
                assertThat(revoke.output()).contains("stops working at once").contains("keeps serving its last good bundle");
                JsonNode shown = json(env, "agents", "show", "--id", thirdId, "--output", "json");
                assertThat(shown.get("revoked").asBoolean()).isTrue();
                assertThat(shown.get("health").asText()).isEqualTo("revoked");
                third.awaitLine(Pattern.compile("^WARNING agent: control plane .* refused the bundle poll: agent credential is not valid"),
                        Duration.ofSeconds(60));
                assertThat(third.lines.stream().filter(l -> l.startsWith("INFO agent: applied bundle")).count())
                        .as("no bundle after the revocation, not even the one its own commit published:%n%s", third.output())
                        .isEqualTo(appliedBefore);
                awaitBody(thirdHttp, "agent.test", "from-");
                assertThat(third.terminate()).isZero();

                // The control plane goes away: the agent keeps serving its last good bundle.
                String last = awaitAgentOnPrimaryVersion(env, agentId);
                String served = awaitBody(agentHttp, "agent.test", "from-").contains("from-one") ? "from-one" : "from-two";
                assertThat(server.terminate()).isZero();
                agent.awaitLine(Pattern.compile("^WARNING agent: control plane \\S+ unreachable"), PATIENCE);
                awaitBody(agentHttp, "agent.test", served);

                // Restarted with no token and the control plane still down, it serves the bundle from its state
                // directory, on the listener that bundle names.
                assertThat(agent.terminate()).as(agent.output()).isZero();
                assertThat(agent.output()).contains("INFO tiyi stopped");
                assertThat(agent.output().lines()).allSatisfy(l -> assertThat(l).matches("^(INFO|WARNING|ERROR|DEBUG) .*"));
                agent = TiyiProcess.start(Map.of(), "agent", "--api", url, "--state-dir", agentDir.toString());
                assertThat(agent.awaitLine(AGENT_READY, Duration.ofSeconds(60))).isEqualTo(agentId);
                assertThat(agent.output()).contains("INFO agent: applied bundle " + last + " from last good bundle")
                        .doesNotContain("enrollment token was not used");
                assertThat(agent.dataPlanePort()).isEqualTo(bundleHttp);
                awaitBody(bundleHttp, "agent.test", served);
                assertThat(agent.terminate()).as(agent.output()).isZero();
            } finally {
                agent.close();
                if (second != null) {
                    second.close();
                }
                if (third != null) {
                    third.close();
                }
            }
        } finally {
            one.stop(0);
            two.stop(0);
        }
    }

    /**
     * How long a site change takes to be served by the agent: from the API call that changes the
     * site to the first response from the new upstream through the agent. Printed, with a
     * generous bound only: timing belongs in benchmarks.
     */
    private static void measurePropagation(Path state, int agentHttp, String upOne, String upTwo) throws Exception {
        LocalAdminCredential cred = LocalAdminCredential.read(state).orElseThrow();
        TiyiClient api = TiyiClient.of(cred.api(), cred.token());
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            boolean toOne = i % 2 == 0;
            Map<String, Object> req = new HashMap<>();
            req.put("name", "demo");
            req.put("upstreams", List.of(toOne ? upOne : upTwo));
            long t0 = System.nanoTime();
            api.raw("SitesService", "Update", req);
            awaitBody(agentHttp, "agent.test", toOne ? "from-one" : "from-two");
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        List<Double> sorted = ms.stream().sorted().toList();
        double p50 = sorted.get((int) Math.ceil(0.50 * sorted.size()) - 1);
        double p99 = sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1);
        System.out.printf("agent propagation of a site change (%d changes, API call to first response through the agent): "
                + "p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", ms.size(), p50, p99, sorted.get(sorted.size() - 1));
        assertThat(p99).as("p99 ms of %s", ms).isLessThan(5000);
    }
}
