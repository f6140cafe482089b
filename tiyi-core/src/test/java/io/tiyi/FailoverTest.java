package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.client.TiyiApiException;
import io.tiyi.cluster.Role;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestUpstream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failover drills on a primary, a secondary and two agents in one JVM. A sampler records every
 * node's role and epoch and every agent's bundle version while a drill runs; the invariants are
 * checked on that history: never two read-write primaries at one epoch, never an agent going back
 * to a lower epoch, and (with traffic running) no failed request at the agents.
 */
class FailoverTest {
    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(2).withSecondary().withJwtSecret("failover-test-secret-0123456789abcdef");

    Path root;

    TiyiCluster cluster;
    TestUpstream up;
    final List<Sample> history = new CopyOnWriteArrayList<>();
    final AtomicBoolean sampling = new AtomicBoolean();
    Thread sampler;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicBoolean traffic = new AtomicBoolean();
    final List<Thread> clients = new ArrayList<>();

    /** {@code lastSeq} is a control-plane node's last mutation seq, -1 for agents. */
    record Sample(long at, String node, String role, long epoch, boolean readOnly, long bundleEpoch, long bundleSeq, long lastSeq) {}

    @BeforeEach
    void start() throws Exception {
        up = new TestUpstream("app");
        cluster = clusters.cluster();
        root = clusters.root();
        cluster.client().raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams", List.of(up.url())));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        sampling.set(true);
        sampler = new Thread(this::sample, "history-sampler");
        sampler.start();
    }

    @AfterEach
    void stop() throws Exception {
        stopTraffic();
        sampling.set(false);
        sampler.join();
        up.close();
    }

    void sample() {
        while (sampling.get()) {
            long now = System.nanoTime();
            for (String name : List.of(TiyiCluster.PRIMARY, TiyiCluster.SECONDARY)) {
                TiyiNode n = name.equals(TiyiCluster.PRIMARY) ? cluster.primary() : cluster.secondary();
                if (n != null) {
                    var s = n.status();
                    history.add(new Sample(now, name, s.role(), s.epoch(), s.readOnly(), 0, 0, s.lastSeq()));
                }
            }
            for (int i = 0; i < cluster.agentCount(); i++) {
                TiyiNode a = cluster.agent(i);
                if (a != null) {
                    long[] v = a.agent().orElseThrow().appliedVersion();
                    history.add(new Sample(now, "agent-" + i, "agent", 0, true, v[0], v[1], -1));
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void checkInvariants() {
        java.util.Map<Long, java.util.Set<String>> writers = new java.util.HashMap<>();
        java.util.Map<String, long[]> lastBundle = new java.util.HashMap<>();
        for (Sample s : history) {
            if ("primary".equals(s.role()) && !s.readOnly()) {
                writers.computeIfAbsent(s.epoch(), e -> new java.util.TreeSet<>()).add(s.node());
            }
            if (s.node().startsWith("agent-")) {
                long[] prev = lastBundle.get(s.node());
                if (prev != null) {
                    assertThat(s.bundleEpoch()).as("%s never goes back to a lower epoch", s.node()).isGreaterThanOrEqualTo(prev[0]);
                }
                lastBundle.put(s.node(), new long[] {s.bundleEpoch(), s.bundleSeq()});
            }
        }
        writers.forEach((epoch, nodes) -> assertThat(nodes).as("read-write primaries at epoch %d", epoch).hasSize(1));
        assertThat(history).isNotEmpty();
    }

    void startTraffic() {
        traffic.set(true);
        for (int i = 0; i < cluster.agentCount(); i++) {
            int agent = i;
            Thread t = new Thread(() -> {
                var addr = cluster.agent(agent).httpAddress();
                while (traffic.get()) {
                    requests.incrementAndGet();
                    try {
                        if (RawHttp.get(addr, "shop.test", "/loop", Map.of()).statusCode() != 200) {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            }, "traffic-" + i);
            clients.add(t);
            t.start();
        }
    }

    void stopTraffic() throws InterruptedException {
        traffic.set(false);
        for (Thread t : clients) {
            t.join();
        }
        clients.clear();
    }

    static void await(BooleanSupplier cond, String what) {
        await(cond, what, Duration.ofSeconds(30));
    }

    static void await(BooleanSupplier cond, String what, Duration timeout) {
        Await.until(timeout, what, cond);
    }

    static void mutate(TiyiNode on, int i) {
        on.client().raw("SystemService", "UpdateSetting", Map.of("key", "logs.retention_days", "value", Integer.toString(1 + i % 30)));
    }

    @Test
    void theSecondaryReplicatesServesReadOnlyAndProxies() throws Exception {
        for (int i = 0; i < 20; i++) {
            mutate(cluster.primary(), i);
        }
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        var status = cluster.secondary().client().raw("SystemService", "Status", Map.of());
        assertThat(status.get("role").asText()).isEqualTo("secondary");
        assertThat(status.get("lag").asLong()).isZero();
        assertThat(status.get("last_seq").asLong()).isEqualTo(cluster.primary().status().lastSeq());
        assertThatThrownBy(() -> mutate(cluster.secondary(), 1)).isInstanceOfSatisfying(TiyiApiException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(409);
            assertThat(e.getMessage()).contains("not primary").contains(cluster.apiUrl(TiyiCluster.PRIMARY));
        });
        HttpResponse<String> r = RawHttp.get(cluster.secondary().httpAddress(), "shop.test", "/via-secondary", Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        int onSecondary = NodeInternals.store(cluster.secondary()).read(db -> db.fetchCount(io.tiyi.store.generated.Tables.AUDIT_LOG));
        int onPrimary = NodeInternals.store(cluster.primary()).read(db -> db.fetchCount(io.tiyi.store.generated.Tables.AUDIT_LOG));
        assertThat(onSecondary).isEqualTo(onPrimary);
        checkInvariants();
    }

    @Test
    void aGracefulPromotionUnderLoadLosesNoAcknowledgedMutationAndAgentsFollow() throws Exception {
        startTraffic();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Integer> acknowledged = new CopyOnWriteArrayList<>();
        Thread writer = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                try {
                    cluster.primary().client().raw("SystemService", "UpdateSetting", Map.of("key", "logs.retention_days", "value",
                            Integer.toString(1 + i % 30)));
                    acknowledged.add(i);
                } catch (RuntimeException e) {
                    // refused once the primary is demoted: not acknowledged, so nothing may be expected of it
                }
            }
        });
        writer.start();
        Thread.sleep(300);
        var promoted = cluster.promote(false);
        writing.set(false);
        writer.join();
        assertThat(promoted.get("epoch").asLong()).isEqualTo(2);
        // The true lag: the primary's last seq minus the secondary's, sampled at the same moment.
        java.util.Map<Long, Long> primarySeq = new java.util.HashMap<>();
        history.stream().filter(h -> h.node().equals(TiyiCluster.PRIMARY) && "primary".equals(h.role()))
                .forEach(h -> primarySeq.put(h.at(), h.lastSeq()));
        long maxLag = history.stream().filter(h -> h.node().equals(TiyiCluster.SECONDARY) && "secondary".equals(h.role())
                && primarySeq.containsKey(h.at())).mapToLong(h -> primarySeq.get(h.at()) - h.lastSeq()).max().orElse(-1);
        System.out.println("failover: graceful promotion under load took " + promoted.get("took_ms").asLong() + " ms; "
                + acknowledged.size() + " mutations acknowledged during the drill; replication lag at most " + maxLag + " seq");
        TiyiNode b = cluster.secondary();
        assertThat(b.role()).isEqualTo(Role.PRIMARY);
        await(() -> cluster.primary().role() == Role.AGENT, "the old primary becomes agent-only");
        // Every acknowledged mutation is in the new primary's log, and both logs and audit chains agree.
        long aLast = cluster.primary().status().lastSeq();
        assertThat(b.status().lastSeq()).isGreaterThanOrEqualTo(aLast);
        assertThat(acknowledged).isNotEmpty();
        var aLog = NodeInternals.store(cluster.primary()).read(db -> db.selectFrom(io.tiyi.store.generated.Tables.MUTATION_LOG)
                .orderBy(io.tiyi.store.generated.Tables.MUTATION_LOG.SEQ).fetch().map(r -> r.getSeq() + r.getPayload()));
        var bLog = NodeInternals.store(b).read(db -> db.selectFrom(io.tiyi.store.generated.Tables.MUTATION_LOG)
                .where(io.tiyi.store.generated.Tables.MUTATION_LOG.SEQ.le(aLast))
                .orderBy(io.tiyi.store.generated.Tables.MUTATION_LOG.SEQ).fetch().map(r -> r.getSeq() + r.getPayload()));
        assertThat(bLog).isEqualTo(aLog);
        var aChain = NodeInternals.store(cluster.primary()).read(db -> db.select(io.tiyi.store.generated.Tables.AUDIT_LOG.HASH)
                .from(io.tiyi.store.generated.Tables.AUDIT_LOG).orderBy(io.tiyi.store.generated.Tables.AUDIT_LOG.ID).fetch().map(r -> r.value1()));
        var bChain = NodeInternals.store(b).read(db -> db.select(io.tiyi.store.generated.Tables.AUDIT_LOG.HASH)
                .from(io.tiyi.store.generated.Tables.AUDIT_LOG).orderBy(io.tiyi.store.generated.Tables.AUDIT_LOG.ID).limit(aChain.size())
                .fetch().map(r -> r.value1()));
        assertThat(bChain).isEqualTo(aChain);

        assertThatThrownBy(() -> mutate(cluster.primary(), 3)).isInstanceOfSatisfying(TiyiApiException.class,
                e -> assertThat(e.getMessage()).contains("not primary").contains(cluster.apiUrl(TiyiCluster.SECONDARY)));
        mutate(b, 4);
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        for (int i = 0; i < cluster.agentCount(); i++) {
            assertThat(cluster.agent(i).agent().orElseThrow().appliedVersion()[0]).as("agent %d runs epoch 2 bundles", i).isEqualTo(2);
        }
        stopTraffic();
        System.out.println("failover: graceful promotion: " + failures.get() + " of " + requests.get() + " requests failed at the agents");
        assertThat(failures).as("failed requests out of %d at the agents", requests.get()).hasValue(0);
        checkInvariants();
    }

    @Test
    void aKilledPrimaryIsReplacedWithForceAndDemotesItselfWhenItComesBack() throws Exception {
        startTraffic();
        cluster.killPrimary();
        var promoted = cluster.promote(true);
        assertThat(promoted.get("message").asText()).contains("lost");
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        mutate(cluster.secondary(), 7);
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        TiyiNode old = cluster.restartPrimary();
        await(() -> old.role() == Role.AGENT, "the old primary demotes itself to agent-only");
        assertThatThrownBy(() -> mutate(old, 8)).isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(409));
        stopTraffic();
        System.out.println("failover: forced promotion after a kill took " + promoted.get("took_ms").asLong() + " ms; " + failures.get()
                + " of " + requests.get() + " requests failed at the agents");
        assertThat(failures).as("failed requests out of %d at the agents", requests.get()).hasValue(0);
        checkInvariants();
    }

    @Test
    void aPromotionAbortsWhenTheSecondaryCannotCatchUpAndThePrimaryTakesChangesAgain() throws Exception {
        NodeInternals.holdReplication(cluster.secondary(), true);
        for (int i = 0; i < 5; i++) {
            mutate(cluster.primary(), i);
        }
        long target = cluster.primary().status().lastSeq();
        assertThatThrownBy(() -> cluster.promote(false)).isInstanceOfSatisfying(TiyiApiException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(409);
            assertThat(e.getMessage()).contains("promotion aborted").contains("of " + target).contains("still a secondary at epoch 1")
                    .contains("read-write again at epoch 1");
        });
        assertThat(cluster.secondary().role()).isEqualTo(Role.SECONDARY);
        assertThat(cluster.primary().role()).isEqualTo(Role.PRIMARY);
        assertThat(cluster.primary().status().readOnly()).isFalse();
        mutate(cluster.primary(), 6);
        NodeInternals.holdReplication(cluster.secondary(), false);
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        checkInvariants();
    }

    @Test
    void aPromotionThatCannotReachThePrimaryChangesNothing() throws Exception {
        cluster.partition();
        assertThatThrownBy(() -> cluster.promote(false)).isInstanceOfSatisfying(TiyiApiException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(409);
            assertThat(e.getMessage()).contains("cannot demote the primary").contains("Nothing changed").contains("--force");
        });
        assertThat(cluster.secondary().role()).isEqualTo(Role.SECONDARY);
        assertThat(cluster.primary().role()).isEqualTo(Role.PRIMARY);
        assertThat(cluster.primary().status().readOnly()).isFalse();
        cluster.healPartition();
        checkInvariants();
    }

    @Test
    void aForcedPromotionDuringAPartitionFencesTheOldPrimaryThroughTheAgents() throws Exception {
        cluster.partition();
        cluster.promote(true);
        // An agent hears of the new primary in its next report (every 10 s), follows it once its long-poll on the old one ends
        // (at most 25 s), and tells the old one of epoch 2 in the report after: up to 45 s.
        await(() -> cluster.primary().role() == Role.AGENT, "the old primary learns of epoch 2 from the agents and steps down",
                Duration.ofSeconds(90));
        for (int i = 0; i < cluster.agentCount(); i++) {
            int agent = i;
            await(() -> cluster.agent(agent).agent().orElseThrow().appliedVersion()[0] == 2, "agent " + i + " follows epoch 2");
        }
        checkInvariants();
    }

    @Test
    void sessionsSurviveAPromotionWhenTheJwtSecretIsShared() throws Exception {
        NodeInternals.users(cluster.primary()).create("test", "olga", io.tiyi.auth.UserRole.OPERATOR, "operator-password-123".toCharArray());
        var login = io.tiyi.client.TiyiClient.of(cluster.apiUrl(TiyiCluster.PRIMARY), null).raw("AuthService", "Login",
                Map.of("user", "olga", "password", "operator-password-123"));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        cluster.promote(false);
        var onNew = io.tiyi.client.TiyiClient.of(cluster.apiUrl(TiyiCluster.SECONDARY), login.get("access_token").asText());
        assertThat(onNew.raw("AuthService", "WhoAmI", Map.of()).get("user").asText()).isEqualTo("olga");
        var refreshed = io.tiyi.client.TiyiClient.of(cluster.apiUrl(TiyiCluster.SECONDARY), null).raw("AuthService", "Refresh",
                Map.of("refresh_token", login.get("refresh_token").asText()));
        assertThat(refreshed.get("access_token").asText()).isNotBlank();
        checkInvariants();
    }

    @Test
    void onlyAHigherEpochMakesAPrimaryStepDown() throws Exception {
        String credential = io.tiyi.internal.Json.MAPPER.readTree(root.resolve("secondary/agent/agent.json").toFile()).get("credential").asText();
        io.tiyi.client.TiyiClient asSecondary = io.tiyi.client.TiyiClient.of(cluster.apiUrl(TiyiCluster.PRIMARY), credential);
        asSecondary.raw("ReplicationService", "Promoted", Map.of("epoch", 1, "primary_api", cluster.apiUrl(TiyiCluster.SECONDARY)));
        assertThat(cluster.primary().role()).as("a claim at its own epoch changes nothing").isEqualTo(Role.PRIMARY);
        mutate(cluster.primary(), 2);
        String agentCredential = io.tiyi.internal.Json.MAPPER.readTree(root.resolve("agent-0/agent.json").toFile()).get("credential").asText();
        assertThatThrownBy(() -> io.tiyi.client.TiyiClient.of(cluster.apiUrl(TiyiCluster.PRIMARY), agentCredential).raw("ReplicationService",
                "Promoted", Map.of("epoch", 5, "primary_api", "http://127.0.0.1:1"))).isInstanceOfSatisfying(TiyiApiException.class,
                        e -> assertThat(e.httpStatus()).as("only a secondary may announce a promotion").isEqualTo(403));
        assertThat(cluster.primary().role()).isEqualTo(Role.PRIMARY);
        checkInvariants();
    }
}
