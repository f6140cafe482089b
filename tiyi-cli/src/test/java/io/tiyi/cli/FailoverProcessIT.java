package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production guide's HA drill with the real launchers: {@code tiyi server} (A),
 * {@code tiyi secondary} (B) and {@code tiyi agent} (C) as separate processes on loopback, driven
 * with the CLI: replication, a graceful {@code tiyi promote}, then {@code kill -9} of the new
 * primary and {@code tiyi promote --force} is impossible (no secondary left) — so the second
 * scenario kills A and force-promotes B, and restarts A, hammered with changes, to watch it step
 * down without acknowledging one. A client loop through C counts failed requests during each switch.
 */
class FailoverProcessIT {
    private static final Pattern AGENT_READY = Pattern.compile("^INFO tiyi agent (ag-[0-9a-f]+) ready");
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static Map<String, String> env(Path state, String url) {
        return Map.of("TIYI_STATE_DIR", state.toString(), "TIYI_API", url);
    }

    static JsonNode status(Map<String, String> env) throws Exception {
        return AgentProcessIT.json(env, "system", "status", "--output", "json");
    }

    static void await(java.util.concurrent.Callable<Boolean> cond, String what) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (cond.call()) {
                    return;
                }
            } catch (Exception | AssertionError e) {
                // not yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("never: " + what);
    }

    /** A client loop through one data plane: counts requests and failures until stopped. */
    static final class Loop implements AutoCloseable {
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        Loop(int port, String host) {
            thread = new Thread(() -> {
                while (running.get()) {
                    requests.incrementAndGet();
                    try {
                        if (!ProxyCliIT.get(port, host).startsWith("HTTP/1.1 200")) {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            });
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    /**
     * A client that sends {@code UpdateSetting} to a node's API as admin (its local admin
     * credential, read again on every try, since each start writes a new one) as fast as it can:
     * counts the changes acknowledged with HTTP 200 and those refused with 409 (an old credential's 401 counts as neither).
     */
    static final class WriteHammer implements AutoCloseable {
        final AtomicInteger acknowledged = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        WriteHammer(Path state) {
            thread = new Thread(() -> {
                int i = 0;
                while (running.get()) {
                    java.util.Optional<io.tiyi.auth.LocalAdminCredential> c = io.tiyi.auth.LocalAdminCredential.read(state);
                    if (c.isEmpty()) {
                        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                        continue;
                    }
                    try {
                        io.tiyi.client.TiyiClient.of(c.get().api(), c.get().token(), Duration.ofSeconds(2)).raw("SystemService",
                                "UpdateSetting", Map.of("key", "logs.retention_days", "value", Integer.toString(1 + i++ % 30)));
                        acknowledged.incrementAndGet();
                    } catch (io.tiyi.client.TiyiApiException e) {
                        if (e.httpStatus() == 409) {
                            refused.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        // Not listening yet: try again.
                    }
                }
            }, "write-hammer");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    record Cluster(TiyiProcess a, String aUrl, Path aState, TiyiProcess b, String bUrl, Path bState, TiyiProcess c, int cHttp) {}

    Cluster start(HttpServer up) throws Exception {
        Path aState = dir.resolve("a");
        Path bState = dir.resolve("b");
        int aPort = AgentProcessIT.freePort();
        TiyiProcess a = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:" + aPort, "--http-addr", "127.0.0.1:0", "--https-addr",
                "127.0.0.1:0", "--state-dir", aState.toString());
        String aUrl = a.awaitReady(PATIENCE);
        Map<String, String> envA = env(aState, aUrl);
        AgentProcessIT.cli(envA, "sites", "create", "--name", "demo", "--host", "ha.test", "--upstream",
                "http://127.0.0.1:" + up.getAddress().getPort());
        String tokenB = AgentProcessIT.json(envA, "agents", "issue-token", "--tag", "secondary").get("token").asText();
        String tokenC = AgentProcessIT.json(envA, "agents", "issue-token", "--tag", "edge-c").get("token").asText();

        // B without A's KEK is refused and told what to copy.
        TiyiProcess refused = TiyiProcess.start(Map.of(), "secondary", "--primary-api", aUrl, "--enrollment-token", tokenB, "--addr",
                "127.0.0.1:0", "--state-dir", bState.toString(), "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0");
        assertThat(refused.awaitExit()).isEqualTo(1);
        assertThat(refused.output()).containsPattern("(?m)^ERROR a secondary must hold the primary's KEK");

        Files.createDirectories(bState);
        Files.copy(aState.resolve("kek.bin"), bState.resolve("kek.bin"), StandardCopyOption.COPY_ATTRIBUTES);
        int bPort = AgentProcessIT.freePort();
        TiyiProcess b = TiyiProcess.start(Map.of(), "secondary", "--primary-api", aUrl, "--enrollment-token", tokenB, "--addr",
                "127.0.0.1:" + bPort, "--state-dir", bState.toString(), "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0");
        String bUrl = b.awaitReady(PATIENCE);
        int cHttp = AgentProcessIT.freePort();
        TiyiProcess c = TiyiProcess.start(Map.of(), "agent", "--api", aUrl, "--enrollment-token", tokenC, "--state-dir",
                dir.resolve("c").toString(), "--http-addr", "127.0.0.1:" + cHttp, "--https-addr", "127.0.0.1:0");
        c.awaitLine(AGENT_READY, PATIENCE);
        AgentProcessIT.awaitBody(cHttp, "ha.test", "from-up");
        return new Cluster(a, aUrl, aState, b, bUrl, bState, c, cHttp);
    }

    @Test
    void gracefulPromotionThenTheOldPrimaryIsAnAgentOfTheNewOne() throws Exception {
        HttpServer up = ProxyCliIT.upstream("from-up");
        Cluster k = start(up);
        try (TiyiProcess a = k.a(); TiyiProcess b = k.b(); TiyiProcess c = k.c()) {
            Map<String, String> envA = env(k.aState(), k.aUrl());
            Map<String, String> envB = env(k.bState(), k.bUrl());
            for (int i = 0; i < 10; i++) {
                AgentProcessIT.cli(envA, "system", "settings", "update", "--key", "logs.retention_days", "--value", Integer.toString(10 + i));
            }
            long aSeq = status(envA).get("last_seq").asLong();
            await(() -> status(envB).get("last_seq").asLong() == aSeq && status(envB).get("lag").asLong() == 0, "B replicated A");
            assertThat(status(envB).get("role").asText()).isEqualTo("secondary");
            TiyiProcess refusedOnB = TiyiProcess.run(envB, null, "system", "settings", "update", "--key", "logs.retention_days", "--value", "3");
            assertThat(refusedOnB.exitCode()).isNotZero();
            assertThat(refusedOnB.output()).contains("not primary").contains(k.aUrl());

            JsonNode promoted;
            try (Loop loop = new Loop(k.cHttp(), "ha.test")) {
                Thread.sleep(300);
                promoted = AgentProcessIT.json(envB, "promote", "--output", "json");
                await(() -> "agent".equals(status(envA).get("role").asText()), "A steps down to agent-only");
                AgentProcessIT.cli(envB, "sites", "update", "--name", "demo", "--host", "ha.test", "--upstream",
                        "http://127.0.0.1:" + up.getAddress().getPort());
                await(() -> AgentProcessIT.json(envB, "agents", "list", "--output", "json").findValuesAsText("bundle_version").stream()
                        .filter(v -> v.startsWith("2.")).count() >= 3, "every agent (A's, B's, C) runs epoch 2 bundles");
                Thread.sleep(300);
                loop.close();
                System.out.println("failover (processes): graceful promotion took " + promoted.get("took_ms").asLong() + " ms; "
                        + loop.failures.get() + " of " + loop.requests.get() + " requests through C failed");
                assertThat(loop.failures).hasValue(0);
            }
            assertThat(promoted.get("epoch").asLong()).isEqualTo(2);
            assertThat(status(envB).get("role").asText()).isEqualTo("primary");
            TiyiProcess refusedOnA = TiyiProcess.run(envA, null, "system", "settings", "update", "--key", "logs.retention_days", "--value", "4");
            assertThat(refusedOnA.exitCode()).isNotZero();
            assertThat(refusedOnA.output()).contains("not primary").contains(k.bUrl());
            assertThat(AgentProcessIT.json(envB, "audit", "verify-chain", "--output", "json").get("ok").asBoolean()).isTrue();
        } finally {
            up.stop(0);
        }
    }

    @Test
    void killNineThePrimaryForceThePromotionAndTheOldPrimaryStepsDownWhenItReturns() throws Exception {
        HttpServer up = ProxyCliIT.upstream("from-up");
        Cluster k = start(up);
        TiyiProcess a = k.a();
        try (TiyiProcess b = k.b(); TiyiProcess c = k.c()) {
            Map<String, String> envA = env(k.aState(), k.aUrl());
            Map<String, String> envB = env(k.bState(), k.bUrl());
            long aSeq = status(envA).get("last_seq").asLong();
            await(() -> status(envB).get("last_seq").asLong() == aSeq, "B replicated A");
            try (Loop loop = new Loop(k.cHttp(), "ha.test")) {
                Thread.sleep(300);
                a.kill();
                TiyiProcess refused = TiyiProcess.run(envB, null, "promote");
                assertThat(refused.exitCode()).as(refused.output()).isNotZero();
                assertThat(refused.output()).contains("cannot demote the primary").contains("--force");
                TiyiProcess forced = AgentProcessIT.cli(envB, "promote", "--force");
                assertThat(forced.output()).containsPattern("(?m)^WARNING promoting without the primary at " + Pattern.quote(k.aUrl())
                        + ": mutations it committed after seq " + aSeq).contains("primary at epoch 2");
                AgentProcessIT.cli(envB, "system", "settings", "update", "--key", "logs.retention_days", "--value", "9");
                await(() -> AgentProcessIT.json(envB, "agents", "list", "--output", "json").findValuesAsText("bundle_version").stream()
                        .filter(v -> v.startsWith("2.")).count() >= 2, "B's and C's data planes run epoch 2 bundles");
                Thread.sleep(300);
                loop.close();
                System.out.println("failover (processes): kill -9 and promote --force: " + loop.failures.get() + " of " + loop.requests.get()
                        + " requests through C failed");
                assertThat(loop.failures).hasValue(0);
            }
            // A comes back at epoch 1 and finds B at epoch 2: it steps down and never takes a change, though a client
            // hammers it with changes, as admin, from before it listens until it has stepped down.
            try (WriteHammer hammer = new WriteHammer(k.aState())) {
                a = TiyiProcess.start(Map.of(), "server", "--addr", k.aUrl().replace("http://", ""), "--http-addr", "127.0.0.1:0", "--https-addr",
                        "127.0.0.1:0", "--state-dir", k.aState().toString());
                a.awaitReady(PATIENCE);
                await(() -> "agent".equals(status(envA).get("role").asText()), "the old primary steps down");
                await(() -> hammer.refused.get() > 0, "the client reaches the old primary");
                hammer.close();
                System.out.println("failover (processes): the restarted old primary acknowledged " + hammer.acknowledged.get() + " of "
                        + (hammer.acknowledged.get() + hammer.refused.get()) + " changes sent to it");
                assertThat(hammer.acknowledged).as("changes acknowledged (HTTP 200) by the restarted old primary").hasValue(0);
            }
            assertThat(status(envA).get("last_seq").asLong()).as("nothing committed on the old primary after its restart").isEqualTo(aSeq);
            TiyiProcess back = a;
            // Whichever comes first: its own question to the peer, or an agent's report of epoch 2.
            assertThat(back.output()).containsPattern("(?m)^WARNING cluster: this node \\(epoch 1\\) is now agent-only because (peer "
                    + Pattern.quote(k.bUrl()) + " is the primary at epoch 2|an agent reports epoch 2 from " + Pattern.quote(k.bUrl()) + ")");
            TiyiProcess refusedOnA = TiyiProcess.run(envA, null, "system", "settings", "update", "--key", "logs.retention_days", "--value", "4");
            assertThat(refusedOnA.exitCode()).isNotZero();
        } finally {
            a.close();
            up.stop(0);
        }
    }
}
