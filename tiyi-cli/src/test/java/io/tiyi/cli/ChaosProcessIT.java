package io.tiyi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiClient;
import io.tiyi.internal.Json;
import io.tiyi.testsupport.ChaosChecker;
import io.tiyi.testsupport.ChaosHistory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults a JVM cannot inject into itself, on the real launchers: {@code kill -9} of {@code tiyi
 * server} (A), {@code kill -STOP} / {@code kill -CONT} of A and of {@code tiyi secondary} (B),
 * restarts, and {@code tiyi promote --force} on B (the graceful promotion's process-level drill is
 * {@link FailoverProcessIT}), while three writers send each write (an
 * enrollment token tagged with the write's id) to A or B at random and a client loops through
 * the agent C. The history is judged by the same {@link ChaosChecker} as the in-JVM schedules;
 * C's bundle is sampled from its {@code /healthz} every few milliseconds. The seed printed picks
 * each write's node; {@code -Dchaos.seed=N} picks the same again.
 */
class ChaosProcessIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @TempDir
    Path dir;

    @Test
    void killNineThePrimaryForceThePromotionAndRestartTheOldPrimaryUnderWrites() throws Exception {
        try (Run run = new Run()) {
            run.writeFor(Duration.ofSeconds(1));
            run.history.fault("kill -9 A");
            run.a.kill();
            run.promote(true);
            run.writeFor(Duration.ofSeconds(1));
            run.history.fault("restart A");
            run.a = TiyiProcess.start(Map.of(), "server", "--addr", run.k.aUrl().replace("http://", ""), "--http-addr", "127.0.0.1:0",
                    "--https-addr", "127.0.0.1:0", "--state-dir", run.k.aState().toString());
            run.a.awaitReady(PATIENCE);
            run.awaitAgentOnly();
            run.writeFor(Duration.ofSeconds(1));
            run.check();
        }
    }

    /**
     * One cluster for both pauses: B stopped and continued while A is the primary, then A stopped
     * across a forced promotion. A stays stopped for longer than its pause threshold after the
     * promotion, as it would while the operator confirms it unreachable; once continued it must
     * acknowledge nothing at epoch 1.
     */
    @Test
    void stopTheSecondaryThenStopThePrimaryForceThePromotionAndLetTheOldPrimaryContinueUnderWrites() throws Exception {
        try (Run run = new Run()) {
            run.writeFor(Duration.ofSeconds(1));
            run.history.fault("kill -STOP B");
            signal(run.b, "STOP");
            run.writeFor(Duration.ofMillis(1500));
            run.history.fault("kill -CONT B");
            signal(run.b, "CONT");
            run.writeFor(Duration.ofSeconds(1));
            run.history.fault("kill -STOP A");
            signal(run.a, "STOP");
            run.promote(true);
            run.writeFor(Duration.ofSeconds(2));
            run.history.fault("kill -CONT A");
            signal(run.a, "CONT");
            run.awaitAgentOnly();
            // For the timeline: how A learnt of the pause and of epoch 2.
            run.a.lines.stream().filter(l -> l.contains("did not run for") || l.contains("is now agent-only because")).forEach(l -> {
                run.history.note(l);
                System.out.println("chaos (processes): A logged " + l);
            });
            run.writeFor(Duration.ofSeconds(1));
            run.check();
        }
    }

    static void signal(TiyiProcess p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " " + p.process.pid() + " failed");
        }
    }

    static JsonNode healthz(String baseUrl) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/healthz")).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(r.body());
    }

    /** A, B and C started as the production guide's HA drill, with writers, a client loop through C and a sampler. */
    final class Run implements AutoCloseable {
        final long seed = Long.getLong("chaos.seed", new SecureRandom().nextInt(1_000_000));
        final ChaosHistory history;
        final HttpServer up;
        final FailoverProcessIT.Cluster k;
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> threads = new ArrayList<>();
        final AtomicLong ids = new AtomicLong();
        volatile TiyiProcess a;
        final TiyiProcess b;

        Run() throws Exception {
            System.out.println("chaos (processes): seed " + seed + " picks each write's node");
            up = ProxyCliIT.upstream("from-up");
            FailoverProcessIT drill = new FailoverProcessIT();
            drill.dir = dir;
            k = drill.start(up);
            a = k.a();
            b = k.b();
            history = new ChaosHistory(seed);
            for (int w = 0; w < 3; w++) {
                Random pick = new Random(seed * 31 + w);
                int writer = w;
                start(() -> {
                    while (running.get()) {
                        write(pick.nextBoolean() ? "A" : "B", writer);
                        // Each write rebuilds the bundle for every process on two shared cores; ~30 writes/s is plenty.
                        pause(Duration.ofMillis(30));
                    }
                });
            }
            start(() -> {
                while (running.get()) {
                    try {
                        history.request(ProxyCliIT.get(k.cHttp(), "ha.test").startsWith("HTTP/1.1 200"));
                    } catch (Exception e) {
                        history.request(false);
                    }
                }
            });
            start(() -> {
                String c = "http://127.0.0.1:" + k.cHttp();
                while (running.get()) {
                    try {
                        JsonNode h = healthz(c);
                        history.sampleApplied("C", h.get("epoch").asLong(), h.get("last_seq").asLong());
                        Thread.sleep(5);
                    } catch (Exception e) {
                        // C is never stopped; a refused sample is no application
                    }
                }
            });
        }

        void start(Runnable body) {
            Thread t = new Thread(body, "chaos-process-" + threads.size());
            threads.add(t);
            t.start();
        }

        void write(String node, int writer) {
            String url = node.equals("A") ? k.aUrl() : k.bUrl();
            Path state = node.equals("A") ? k.aState() : k.bState();
            String id = "chaos-" + seed + "-w" + writer + "-" + ids.incrementAndGet();
            long start = System.nanoTime();
            try {
                String token = LocalAdminCredential.read(state).orElseThrow().token();
                TiyiClient.of(url, token, Duration.ofSeconds(3)).raw("AgentsService", "IssueToken", Map.of("tag", id, "ttl", "1h"));
                long end = System.nanoTime();
                long epoch;
                try {
                    epoch = healthz(url).get("epoch").asLong();
                } catch (Exception e) {
                    epoch = -1;
                }
                history.ack(id, node, epoch, start, end);
            } catch (RuntimeException e) {
                history.notAcknowledged();
            }
        }

        void writeFor(Duration d) throws InterruptedException {
            Thread.sleep(d.toMillis());
        }

        void pause(Duration d) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.set(false);
            }
        }

        void promote(boolean force) throws Exception {
            Map<String, String> envB = FailoverProcessIT.env(k.bState(), k.bUrl());
            history.fault(force ? "tiyi promote --force on B" : "tiyi promote on B");
            if (force) {
                AgentProcessIT.cli(envB, "promote", "--force");
            } else {
                AgentProcessIT.cli(envB, "promote");
            }
            history.promoted("A", "B", !force);
        }

        /** Until A says it is agent-only; writes go on meanwhile. */
        void awaitAgentOnly() throws Exception {
            FailoverProcessIT.await(() -> "agent".equals(healthz(k.aUrl()).get("role").asText()), "A steps down to agent-only");
            history.note("A is agent-only");
        }

        void check() throws Exception {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
            Set<String> onB = new HashSet<>();
            TiyiClient.of(k.bUrl(), LocalAdminCredential.read(k.bState()).orElseThrow().token()).raw("AgentsService", "ListTokens", Map.of())
                    .findValuesAsText("tag").forEach(onB::add);
            System.out.println("chaos (processes): " + history.figures());
            ChaosChecker.assertHolds(history, "B", onB);
            org.assertj.core.api.Assertions.assertThat(history.acks()).as("writes were acknowledged at all").isNotEmpty();
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
            for (TiyiProcess p : List.of(a, b, k.c())) {
                if (p.process.isAlive()) {
                    signal(p, "CONT");
                }
                p.close();
            }
            up.stop(0);
        }
    }
}
