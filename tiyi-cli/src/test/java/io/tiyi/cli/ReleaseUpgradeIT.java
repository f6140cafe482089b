package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.tiyi.TiyiVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rolling-upgrade acceptance with real processes: a server, two agents each kept running by
 * a supervisor loop around {@code bin/tiyi agent} (as systemd's Restart=always would), and a
 * client that sends every request to one agent and retries on the other. A release built from
 * this jar with another version string is imported and applied to agent A alone, then to the
 * rest, then rolled back; a tampered tarball is refused.
 */
class ReleaseUpgradeIT {
    static final String NEXT = "3.0.1";

    @TempDir
    Path dir;

    /** {@code bin/tiyi agent ...} started again whenever it exits, like a supervisor; records exit codes. */
    static final class Supervised implements AutoCloseable {
        final List<Integer> exits = new CopyOnWriteArrayList<>();
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private volatile Process current;
        private final Thread loop;

        Supervised(Path stateDir, List<String> firstArgs, List<String> args) {
            loop = new Thread(() -> {
                boolean first = true;
                while (running.get()) {
                    List<String> cmd = new ArrayList<>(List.of("bash", Path.of("../bin/tiyi").toAbsolutePath().toString(), "agent"));
                    cmd.addAll(args);
                    if (first) {
                        cmd.addAll(firstArgs);
                    }
                    first = false;
                    try {
                        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                        pb.environment().put("TIYI_JAR", TiyiProcess.jar().toString());
                        pb.environment().put("TIYI_STATE_DIR", stateDir.toString());
                        Process p = pb.start();
                        current = p;
                        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                            String l;
                            while ((l = r.readLine()) != null) {
                                lines.add(l);
                            }
                        }
                        exits.add(p.waitFor());
                    } catch (IOException e) {
                        lines.add("supervisor: " + e);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "supervisor");
            loop.setDaemon(true);
            loop.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            Process p = current;
            if (p != null) {
                p.destroy();
                p.waitFor();
            }
            loop.join(20_000);
        }
    }

    static int status(int port) {
        try {
            String r = TrustCliIT.rawGet(port, "up.test", "/", "");
            return r.startsWith("HTTP/1.1 ") ? Integer.parseInt(r.substring(9, 12)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static final List<String> TOOK = new CopyOnWriteArrayList<>();

    static JsonNode awaitRun(Map<String, String> env, long rolloutId, Duration timeout) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        JsonNode run = null;
        while (System.nanoTime() < deadline) {
            for (JsonNode r : AgentProcessIT.json(env, "release", "runs", "--output", "json")) {
                if (r.get("id").asLong() == rolloutId) {
                    run = r;
                }
            }
            boolean done = run != null;
            for (JsonNode a : run == null ? List.<JsonNode>of() : iterable(run.get("agents"))) {
                String s = a.get("state").asText();
                done &= s.equals("healthy") || s.equals("failed");
            }
            if (done) {
                TOOK.add(run.get("kind").asText() + " " + run.get("agents").size() + " agent(s) " + (System.nanoTime() - start) / 1_000_000 + " ms");
                return run;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("rollout " + rolloutId + " did not finish within " + timeout + ": " + run);
    }

    static List<JsonNode> iterable(JsonNode n) {
        List<JsonNode> l = new ArrayList<>();
        n.forEach(l::add);
        return l;
    }

    static String agentVersion(Map<String, String> env, String agentId) throws Exception {
        JsonNode a = AgentProcessIT.json(env, "agents", "show", agentId, "--output", "json");
        return a.path("binary_version").asText();
    }

    @Test
    void upgradeAWaveThenTheRestThenRollBackWithTrafficFlowing() throws Exception {
        Path jar = TiyiProcess.jar();
        String ours = TiyiVersion.version();
        Path build = jar.resolveSibling("tiyi-" + ours + ".tar.gz");
        assertThat(build).as("mvn package builds the release tarball").isRegularFile();
        TiyiProcess pkg = AgentProcessIT.cli(Map.of(), "release", "package", "--jar", jar.toString(), "--version", NEXT, "--out", dir.toString());
        Path next = dir.resolve("tiyi-" + NEXT + ".tar.gz");
        assertThat(next).as(pkg.output()).isRegularFile();

        HttpServer up = ProxyCliIT.upstream("from-up");
        Path state = dir.resolve("server");
        int portA = AgentProcessIT.freePort();
        int portB = AgentProcessIT.freePort();
        try (TiyiProcess server = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--https-addr",
                "127.0.0.1:0", "--state-dir", state.toString())) {
            String url = server.awaitReady(Duration.ofSeconds(60));
            Map<String, String> env = Map.of("TIYI_STATE_DIR", state.toString(), "TIYI_API", url);
            AgentProcessIT.cli(env, "sites", "create", "--name", "up", "--host", "up.test", "--upstream",
                    "http://127.0.0.1:" + up.getAddress().getPort());

            // Tampered and malicious tarballs are refused, naming what is wrong.
            byte[] good = Files.readAllBytes(next);
            Path tampered = dir.resolve("tampered.tar.gz");
            byte[] bad = ReleaseTarballs.withArtifactByteFlipped(good);
            Files.write(tampered, bad);
            TiyiProcess refused = TiyiProcess.run(env, null, "release", "import", "--tarball", tampered.toString());
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("tiyi.jar").containsIgnoringCase("sha-256");
            Path traversal = dir.resolve("traversal.tar.gz");
            Files.write(traversal, ReleaseTarballs.withEntry(good, "../x", "boom".getBytes(StandardCharsets.UTF_8)));
            TiyiProcess refusedPath = TiyiProcess.run(env, null, "release", "import", "--tarball", traversal.toString());
            assertThat(refusedPath.exitCode()).isNotZero();
            assertThat(refusedPath.output()).contains("../x");

            // The publisher's SHA-256 is checked before the upload: another tarball is refused.
            TiyiProcess notPublished = TiyiProcess.run(env, null, "release", "import", "--tarball", next.toString(), "--sha256",
                    io.tiyi.crypto.Sha256.hex(bad));
            assertThat(notPublished.exitCode()).isNotZero();
            assertThat(notPublished.output()).contains("not the expected " + io.tiyi.crypto.Sha256.hex(bad));

            AgentProcessIT.cli(env, "release", "import", "--tarball", next.toString(), "--sha256", io.tiyi.crypto.Sha256.hex(good));
            JsonNode releases = AgentProcessIT.json(env, "release", "list", "--output", "json");
            assertThat(releases.findValuesAsText("version")).containsExactly(NEXT);
            String releaseId = releases.get(0).get("id").asText();

            String tokenA = AgentProcessIT.json(env, "agents", "issue-token", "--tag", "edge-a").get("token").asText();
            String tokenB = AgentProcessIT.json(env, "agents", "issue-token", "--tag", "edge-b").get("token").asText();
            Path stateA = dir.resolve("a");
            Path stateB = dir.resolve("b");
            try (Supervised a = new Supervised(stateA, List.of("--enrollment-token", tokenA), List.of("--api", url, "--http-addr",
                    "127.0.0.1:" + portA, "--https-addr", "127.0.0.1:0"));
                    Supervised b = new Supervised(stateB, List.of("--enrollment-token", tokenB), List.of("--api", url, "--http-addr",
                            "127.0.0.1:" + portB, "--https-addr", "127.0.0.1:0"))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while ((status(portA) != 200 || status(portB) != 200) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertThat(status(portA)).as(String.join("\n", a.lines)).isEqualTo(200);
                assertThat(status(portB)).as(String.join("\n", b.lines)).isEqualTo(200);
                String idA = agentByTag(env, "edge-a");
                String idB = agentByTag(env, "edge-b");

                // Traffic throughout: each request to one agent, retried once on the other.
                AtomicBoolean run = new AtomicBoolean(true);
                AtomicLong sent = new AtomicLong();
                AtomicLong retried = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                Thread client = new Thread(() -> {
                    int i = 0;
                    while (run.get()) {
                        int first = i++ % 2 == 0 ? portA : portB;
                        int second = first == portA ? portB : portA;
                        sent.incrementAndGet();
                        if (status(first) != 200) {
                            retried.incrementAndGet();
                            if (status(second) != 200) {
                                failed.incrementAndGet();
                            }
                        }
                    }
                });
                client.start();
                try {
                    // Wave one: A alone.
                    JsonNode wave = AgentProcessIT.json(env, "release", "apply", releaseId, "--agent-id", idA, "--output", "json");
                    JsonNode done = awaitRun(env, wave.get("id").asLong(), Duration.ofSeconds(120));
                    assertThat(done.get("agents")).hasSize(1);
                    assertThat(done.get("agents").get(0).get("state").asText()).as(done.toString()).isEqualTo("healthy");
                    awaitVersion(env, idA, NEXT);
                    assertThat(agentVersion(env, idB)).isEqualTo(ours);

                    // The rest follow.
                    JsonNode rest = AgentProcessIT.json(env, "release", "apply", releaseId, "--output", "json");
                    assertThat(rest.get("agents").findValuesAsText("agent_id")).containsExactly(idB);
                    JsonNode restDone = awaitRun(env, rest.get("id").asLong(), Duration.ofSeconds(120));
                    assertThat(restDone.get("agents").get(0).get("state").asText()).as(restDone.toString()).isEqualTo("healthy");
                    awaitVersion(env, idB, NEXT);

                    // And back.
                    JsonNode back = AgentProcessIT.json(env, "release", "rollback", "--output", "json");
                    assertThat(back.get("agents").findValuesAsText("agent_id")).containsExactlyInAnyOrder(idA, idB);
                    JsonNode backDone = awaitRun(env, back.get("id").asLong(), Duration.ofSeconds(120));
                    assertThat(backDone.get("agents").findValuesAsText("state")).as(backDone.toString()).containsOnly("healthy");
                    awaitVersion(env, idA, ours);
                    awaitVersion(env, idB, ours);
                    String runs = AgentProcessIT.cli(env, "release", "runs", "--output", "table").output();
                    assertThat(runs).contains("rollback").contains("apply " + NEXT).contains("healthy");

                    // A binary that cannot start: the supervisor contract puts the old one back, and it reports why.
                    Path broken = dir.resolve("tiyi-3.0.2.tar.gz");
                    try (var out = Files.newOutputStream(broken)) {
                        io.tiyi.release.ReleaseTarball.create("3.0.2", java.time.Instant.now(), List.of(new io.tiyi.release.ReleaseTarball
                                .ArtifactInput("tiyi.jar", "any", "any", "artifacts/tiyi.jar", "java -jar tiyi.jar",
                                        "this is not a jar".getBytes(StandardCharsets.UTF_8)))).writeTo(out);
                    }
                    AgentProcessIT.cli(env, "release", "import", "--tarball", broken.toString());
                    JsonNode brokenRun = AgentProcessIT.json(env, "release", "apply", "3.0.2", "--agent-id", idA, "--output", "json");
                    JsonNode badDone = awaitRun(env, brokenRun.get("id").asLong(), Duration.ofSeconds(120));
                    JsonNode badA = badDone.get("agents").get(0);
                    assertThat(badA.get("state").asText()).as(badDone.toString()).isEqualTo("failed");
                    assertThat(badA.get("reason").asText()).contains("tiyi 3.0.2 did not come up healthy").contains("went back to " + ours);
                    awaitVersion(env, idA, ours);
                    assertThat(String.join("\n", a.lines)).contains("WARNING tiyi 3.0.2 did not come up healthy; starting " + ours + " again");
                } finally {
                    run.set(false);
                    client.join(10_000);
                }
                System.out.printf("release upgrade (processes): %d requests, %d retried on the other agent, %d failed on both; agent exits A %s,"
                        + " B %s; rollouts (apply to final state): %s%n", sent.get(), retried.get(), failed.get(), a.exits, b.exits, TOOK);
                // Two switches, then the broken binary's switch (75) and its failed start (1).
                assertThat(a.exits).as("A's exits").containsExactly(75, 75, 75, 1);
                assertThat(b.exits).containsOnly(75).hasSize(2);
                assertThat(failed.get()).as("requests that failed on both agents, of %d", sent.get()).isZero();
                assertThat(Files.readSymbolicLink(stateA.resolve("releases/current")).toString()).isEqualTo(ours);
                String audit = AgentProcessIT.cli(env, "audit", "list", "--limit", "200", "--output", "table").output();
                assertThat(audit).contains("releases.import").contains("releases.apply").contains("releases.rollback");
            }
        } finally {
            up.stop(0);
        }
    }

    static String agentByTag(Map<String, String> env, String tag) throws Exception {
        for (JsonNode a : AgentProcessIT.json(env, "agents", "list", "--output", "json")) {
            if (a.path("tag").asText().equals(tag)) {
                return a.get("id").asText();
            }
        }
        throw new AssertionError("no agent tagged " + tag);
    }

    static void awaitVersion(Map<String, String> env, String agentId, String version) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!agentVersion(env, agentId).equals(version) && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(agentVersion(env, agentId)).isEqualTo(version);
    }
}
