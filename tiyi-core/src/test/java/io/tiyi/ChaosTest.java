package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiClient;
import io.tiyi.cluster.Role;
import io.tiyi.internal.Json;
import io.tiyi.internal.TcpLink;
import io.tiyi.testsupport.ChaosChecker;
import io.tiyi.testsupport.ChaosHistory;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestUpstream;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random fault schedules on a primary, a secondary and two agents in one JVM, under concurrent
 * writes and traffic, judged by {@link ChaosChecker}. Each schedule comes from one seed: it
 * kills nodes (listeners closed without draining), pauses them (every link to and from the node
 * cut while it keeps running, as a stopped process would be unreachable), partitions the primary
 * from the secondary, restarts killed nodes from their state directories, and promotes the
 * secondary once, gracefully for even seeds and with {@code --force} for odd ones. Three writer
 * threads send each write (an enrollment token whose tag is the write's id) to a control-plane
 * node picked at random, so a node that should refuse but acknowledges is caught.
 *
 * <p>{@code -Dchaos.seed=N} replays the schedule of seed N (the faults and their order; the
 * interleaving with writes is up to the machine); {@code -Dchaos.runs=K} runs K schedules from
 * consecutive seeds; {@code -Dchaos.verbose=true} prints every run's timeline, not only a failing one's.
 */
class ChaosTest {
    private static final int WRITERS = 3;
    private static final List<String> CONTROL_PLANE = List.of(TiyiCluster.PRIMARY, TiyiCluster.SECONDARY);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @TestFactory
    Stream<DynamicTest> randomFaultSchedulesKeepTheInvariants(@TempDir Path dir) {
        Long given = Long.getLong("chaos.seed");
        long base = given != null ? given : new SecureRandom().nextInt(1_000_000);
        int runs = Integer.getInteger("chaos.runs", given != null ? 1 : 3);
        System.out.println("chaos: seeds " + base + " to " + (base + runs - 1) + " (replay one with -Dchaos.seed=N)");
        return IntStream.range(0, runs).mapToObj(i -> base + i)
                .map(seed -> DynamicTest.dynamicTest("seed " + seed, () -> new Schedule(seed, dir.resolve("seed-" + seed)).run()));
    }

    /** One cluster, one seeded schedule of faults, one history. */
    static final class Schedule {
        final long seed;
        final Random random;
        ChaosHistory history;
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> threads = new ArrayList<>();
        final Map<String, TcpLink> writerLinks = new java.util.concurrent.ConcurrentHashMap<>();
        final Set<String> killed = new LinkedHashSet<>();
        final Set<String> paused = new LinkedHashSet<>();
        final AtomicLong ids = new AtomicLong();
        TiyiCluster cluster;
        final Path root;
        boolean partitioned;
        boolean promoted;

        Schedule(long seed, Path root) {
            this.seed = seed;
            this.root = root;
            this.random = new Random(seed);
        }

        void run() throws Exception {
            Files.createDirectories(root);
            try (TestUpstream up = new TestUpstream("app")) {
                cluster = TiyiCluster.builder().root(root).secondary(true).agents(2).jwtSecret("chaos-test-secret-0123456789abcdef0123")
                        .build().start();
                cluster.client().raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams",
                        List.of(up.url())));
                assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).as("seed %d: the cluster converges before any fault", seed)
                        .isTrue();
                history = new ChaosHistory(seed);
                for (String n : CONTROL_PLANE) {
                    URI u = URI.create(cluster.apiUrl(n));
                    writerLinks.put(n, new TcpLink(new InetSocketAddress(u.getHost(), u.getPort())));
                }
                start("sampler", this::sample);
                for (int w = 0; w < WRITERS; w++) {
                    int writer = w;
                    start("writer-" + w, () -> write(writer));
                }
                for (int i = 0; i < cluster.agentCount(); i++) {
                    int agent = i;
                    start("traffic-" + i, () -> traffic(agent));
                }
                inject();
                healEverything();
                String finalPrimary = awaitPrimary();
                // Writes go on for a moment after healing: a node that should have stepped down shows itself now.
                Thread.sleep(1000);
                running.set(false);
                for (Thread t : threads) {
                    t.join();
                }
                Set<String> present = finalPrimary == null ? Set.of() : tokensOn(finalPrimary);
                System.out.println("chaos: " + history.figures() + (finalPrimary == null ? "" : "; final primary " + finalPrimary));
                if (Boolean.getBoolean("chaos.verbose")) {
                    System.out.println(history.summary(400));
                }
                ChaosChecker.assertHolds(history, finalPrimary, present);
                assertThat(history.acks()).as("seed %d: writes were acknowledged at all", seed).isNotEmpty();
            } finally {
                running.set(false);
                for (Thread t : threads) {
                    t.join(10_000);
                }
                writerLinks.values().forEach(TcpLink::close);
                if (cluster != null) {
                    cluster.close();
                }
            }
        }

        void start(String name, Runnable body) {
            Thread t = new Thread(body, "chaos-" + name);
            threads.add(t);
            t.start();
        }

        /** The schedule: 6 to 9 faults, one of them the promotion, each held for 0.2 to 1.4 s. */
        void inject() throws Exception {
            Thread.sleep(300);
            int steps = 6 + random.nextInt(4);
            int promoteAt = 2 + random.nextInt(steps - 3);
            for (int step = 0; step < steps; step++) {
                if (step == promoteAt) {
                    promote(seed % 2 == 0);
                } else {
                    faultOrHeal();
                }
                Thread.sleep(200 + random.nextInt(1200));
            }
        }

        void faultOrHeal() {
            List<String> options = new ArrayList<>();
            List<Runnable> actions = new ArrayList<>();
            boolean roomForFault = killed.size() + paused.size() + (partitioned ? 1 : 0) < 2;
            List<String> nodes = new ArrayList<>(CONTROL_PLANE);
            for (int i = 0; i < cluster.agentCount(); i++) {
                nodes.add("agent-" + i);
            }
            for (String n : nodes) {
                boolean newPrimary = promoted && n.equals(TiyiCluster.SECONDARY);
                if (killed.contains(n)) {
                    options.add("restart " + n);
                    actions.add(() -> restart(n));
                } else if (paused.contains(n)) {
                    options.add("resume " + n);
                    actions.add(() -> resume(n));
                } else if (roomForFault) {
                    if (!newPrimary) {
                        // The harness restarts a secondary as a secondary, so the promoted one is paused, never killed.
                        options.add("kill " + n);
                        actions.add(() -> kill(n));
                    }
                    options.add("pause " + n);
                    actions.add(() -> pause(n));
                }
            }
            if (partitioned) {
                options.add("heal partition");
                actions.add(() -> partition(false));
            } else if (roomForFault) {
                options.add("partition primary | secondary");
                actions.add(() -> partition(true));
            }
            int pick = random.nextInt(options.size());
            history.fault(options.get(pick));
            actions.get(pick).run();
        }

        void kill(String n) {
            killed.add(n);
            switch (n) {
                case TiyiCluster.PRIMARY -> cluster.killPrimary();
                case TiyiCluster.SECONDARY -> cluster.killSecondary();
                default -> cluster.killAgent(agentIndex(n));
            }
        }

        void restart(String n) {
            switch (n) {
                case TiyiCluster.PRIMARY -> cluster.restartPrimary();
                case TiyiCluster.SECONDARY -> cluster.restartSecondary();
                default -> cluster.restartAgent(agentIndex(n));
            }
            killed.remove(n);
            history.note(n + " restarted");
        }

        void pause(String n) {
            paused.add(n);
            cluster.pause(n);
            TcpLink l = writerLinks.get(n);
            if (l != null) {
                l.cut();
            }
        }

        void resume(String n) {
            cluster.resume(n);
            TcpLink l = writerLinks.get(n);
            if (l != null) {
                l.restore();
            }
            paused.remove(n);
            if (partitioned) {
                cluster.partition();
            }
        }

        void partition(boolean cut) {
            if (cut) {
                cluster.partition();
            } else {
                cluster.healPartition();
                // Healing restores the links between primary and secondary, a paused one's too: hold it again.
                paused.forEach(cluster::pause);
            }
            partitioned = cut;
        }

        static int agentIndex(String n) {
            return Integer.parseInt(n.substring("agent-".length()));
        }

        /**
         * The one promotion. A graceful one first heals the control plane three times in four (it
         * is refused, changing nothing, when the primary cannot be reached); a forced one first
         * makes the primary unreachable if it is not (killed or paused, at random), as the
         * production guide asks before {@code --force}.
         */
        void promote(boolean graceful) {
            if (killed.contains(TiyiCluster.SECONDARY)) {
                history.fault("restart secondary");
                restart(TiyiCluster.SECONDARY);
            }
            if (graceful && random.nextInt(4) != 0) {
                history.fault("heal the control plane");
                for (String n : CONTROL_PLANE) {
                    if (paused.contains(n)) {
                        resume(n);
                    }
                    if (killed.contains(n)) {
                        restart(n);
                    }
                }
                if (partitioned) {
                    partition(false);
                }
            }
            if (!graceful && !killed.contains(TiyiCluster.PRIMARY) && !paused.contains(TiyiCluster.PRIMARY)) {
                // --force is for a primary confirmed unreachable: a primary that clients still reach while only B cannot
                // takes writes at its epoch until it hears of the new one, which the guide documents.
                if (random.nextBoolean()) {
                    history.fault("kill primary");
                    kill(TiyiCluster.PRIMARY);
                } else {
                    history.fault("pause primary");
                    pause(TiyiCluster.PRIMARY);
                }
            }
            history.fault((graceful ? "promote" : "promote --force") + " secondary");
            try {
                cluster.promote(!graceful);
                promoted = true;
                history.promoted(TiyiCluster.PRIMARY, TiyiCluster.SECONDARY, graceful);
            } catch (RuntimeException e) {
                history.note("promotion refused: " + e.getMessage());
            }
        }

        void healEverything() {
            history.note("healing every fault");
            for (String n : List.copyOf(paused)) {
                resume(n);
            }
            if (partitioned) {
                partition(false);
            }
            for (String n : List.copyOf(killed)) {
                restart(n);
            }
        }

        /** The one read-write primary once faults are healed; null if none shows within 15 s. */
        String awaitPrimary() throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline) {
                List<String> rw = CONTROL_PLANE.stream().filter(n -> {
                    TiyiNode node = node(n);
                    return node != null && node.role() == Role.PRIMARY && !node.status().readOnly();
                }).toList();
                if (rw.size() == 1) {
                    return rw.get(0);
                }
                Thread.sleep(50);
            }
            return null;
        }

        TiyiNode node(String name) {
            return name.equals(TiyiCluster.PRIMARY) ? cluster.primary() : cluster.secondary();
        }

        Set<String> tokensOn(String node) {
            Set<String> tags = new HashSet<>();
            node(node).client().raw("AgentsService", "ListTokens", Map.of()).findValuesAsText("tag").forEach(tags::add);
            return tags;
        }

        /** One writer: each write to a control-plane node picked at random, recorded if acknowledged. */
        void write(int writer) {
            Random pick = new Random(seed * 31 + writer);
            while (running.get()) {
                String target = CONTROL_PLANE.get(pick.nextInt(CONTROL_PLANE.size()));
                String id = "chaos-" + seed + "-w" + writer + "-" + ids.incrementAndGet();
                long start = System.nanoTime();
                try {
                    String token = LocalAdminCredential.read(root.resolve(target)).orElseThrow().token();
                    TiyiClient c = TiyiClient.of("http://127.0.0.1:" + writerLinks.get(target).port(), token, Duration.ofSeconds(5));
                    c.raw("AgentsService", "IssueToken", Map.of("tag", id, "ttl", "1h"));
                    long end = System.nanoTime();
                    history.ack(id, target, epochOf("http://127.0.0.1:" + writerLinks.get(target).port()), start, end);
                } catch (RuntimeException e) {
                    history.notAcknowledged();
                }
            }
        }

        /** The epoch a node reports on {@code /healthz} right after it acknowledged (it answers while it starts, too); -1 if it does not answer. */
        static long epochOf(String api) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/healthz")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return Json.MAPPER.readTree(r.body()).path("epoch").asLong(-1);
            } catch (IOException | RuntimeException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        void traffic(int agent) {
            while (running.get()) {
                TiyiNode a = cluster.agent(agent);
                if (a == null) {
                    Thread.onSpinWait();
                    continue;
                }
                try {
                    history.request(RawHttp.get(a.httpAddress(), "shop.test", "/chaos", Map.of()).statusCode() == 200);
                } catch (Exception e) {
                    history.request(false);
                }
            }
        }

        /** Every few milliseconds: the bundle each agent (and each embedded agent) serves, each control-plane node's role. */
        void sample() {
            while (running.get()) {
                for (int i = 0; i < cluster.agentCount(); i++) {
                    sampleAgent("agent-" + i, cluster.agent(i));
                }
                for (String n : CONTROL_PLANE) {
                    TiyiNode node = node(n);
                    sampleAgent(n + "/embedded", node);
                    if (node != null) {
                        try {
                            var s = node.status();
                            history.sampleRole(n, s.role() + "@" + s.epoch() + (s.readOnly() ? " ro" : " rw"));
                        } catch (RuntimeException e) {
                            // stopping or starting: no role to see
                        }
                    }
                }
                try {
                    Thread.sleep(3);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void sampleAgent(String name, TiyiNode node) {
            try {
                if (node != null && node.agent().isPresent()) {
                    long[] v = node.agent().get().appliedVersion();
                    history.sampleApplied(name, v[0], v[1]);
                }
            } catch (RuntimeException e) {
                // stopping or starting: nothing applied to see
            }
        }
    }
}
