package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.cluster.Role;
import io.tiyi.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A primary that did not run for a while (a stopped process, a long GC pause, a frozen machine)
 * fences itself before it commits again: it refuses writes with the reason until its peers
 * confirm no newer primary exists, then opens, or steps down to the newer one. The pause is
 * simulated by holding the node's heartbeat, which reads as a pause above the threshold on
 * release however short the hold was.
 */
class PauseFenceTest {
    @TempDir
    Path root;

    private TiyiCluster cluster;

    private TiyiCluster start(boolean secondary) {
        cluster = TiyiCluster.builder().root(root).secondary(secondary).agents(0).build().start();
        return cluster;
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void mutate(TiyiNode on, int i) {
        on.client().raw("SystemService", "UpdateSetting", Map.of("key", "logs.retention_days", "value", Integer.toString(1 + i % 30)));
    }

    private static void pause(TiyiNode node) {
        NodeInternals.holdHeartbeat(node, true);
        NodeInternals.holdHeartbeat(node, false);
    }

    @Test
    void aStandalonePrimaryGoesOnWritingAfterAPause() {
        TiyiNode a = start(false).primary();
        mutate(a, 1);
        long seq = a.status().lastSeq();
        pause(a);
        // Whether the state writer or the heartbeat sees the pause first, a node with no peer has nothing to confirm.
        mutate(a, 2);
        pause(a);
        Await.until(Duration.ofSeconds(5), "the heartbeat ticks again", () -> !a.status().readOnly() && tryMutate(a, 3));
        assertThat(a.status().readOnlyReason()).isNull();
        assertThat(a.status().lastSeq()).isEqualTo(seq + 2);
    }

    private static boolean tryMutate(TiyiNode a, int i) {
        mutate(a, i);
        return true;
    }

    @Test
    void aPausedPrimaryRefusesWritesUntilItsPeerConfirmsItsEpochThenOpens() {
        start(true);
        TiyiNode a = cluster.primary();
        mutate(a, 1);
        Await.until(Duration.ofSeconds(30), "the secondary replicates", () -> cluster.secondary().status().lastSeq() == a.status().lastSeq());
        long seq = a.status().lastSeq();
        // The secondary is out of reach while the primary confirms: nothing can open its fence.
        cluster.partition();
        pause(a);
        assertThatThrownBy(() -> mutate(a, 2)).isInstanceOfSatisfying(TiyiApiException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(409);
            assertThat(e.getMessage()).containsAnyOf("did not run for", "after a pause of");
        });
        Await.until(Duration.ofSeconds(15), "the pause fence names the silent peer", () -> {
            String why = a.status().readOnlyReason();
            return why != null && why.contains("after a pause of") && why.contains("did not answer");
        });
        assertThat(a.status().readOnly()).isTrue();
        assertThatThrownBy(() -> mutate(a, 3)).isInstanceOfSatisfying(TiyiApiException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(409);
            assertThat(e.getMessage()).contains("after a pause of").contains(cluster.apiUrl(TiyiCluster.SECONDARY));
        });
        assertThat(a.status().lastSeq()).isEqualTo(seq);

        cluster.healPartition();
        Await.until(Duration.ofSeconds(20), "the secondary's answer at the same epoch opens the fence", () -> !a.status().readOnly());
        mutate(a, 4);
        assertThat(a.role()).isEqualTo(Role.PRIMARY);
        assertThat(a.status().epoch()).isEqualTo(1);
        assertThat(a.status().lastSeq()).isEqualTo(seq + 1);
    }

    @Test
    void aPrimaryPausedAcrossAForcedPromotionAcknowledgesNothingAndStepsDown() throws Exception {
        start(true);
        TiyiNode a = cluster.primary();
        mutate(a, 1);
        Await.until(Duration.ofSeconds(30), "the secondary replicates", () -> cluster.secondary().status().lastSeq() == a.status().lastSeq());
        long seq = a.status().lastSeq();
        cluster.pause(TiyiCluster.PRIMARY);
        cluster.promote(true);
        TiyiNode b = cluster.secondary();
        mutate(b, 2);
        assertThat(b.status().epoch()).isEqualTo(2);

        // A client hammers the old primary from the moment it continues until it has stepped down.
        LocalAdminCredential c = LocalAdminCredential.read(root.resolve(TiyiCluster.PRIMARY)).orElseThrow();
        AtomicBoolean hammering = new AtomicBoolean(true);
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        Thread hammer = new Thread(() -> {
            int i = 0;
            while (hammering.get()) {
                try {
                    TiyiClient.of(c.api(), c.token(), Duration.ofSeconds(2)).raw("SystemService", "UpdateSetting",
                            Map.of("key", "logs.retention_days", "value", Integer.toString(1 + i++ % 30)));
                    acknowledged.incrementAndGet();
                } catch (TiyiApiException e) {
                    if (e.httpStatus() == 409) {
                        refused.incrementAndGet();
                    }
                }
            }
        }, "pause-hammer");
        cluster.resume(TiyiCluster.PRIMARY);
        hammer.start();
        try {
            Await.until(Duration.ofSeconds(20), "the old primary steps down", () -> a.role() == Role.AGENT);
            Await.until(Duration.ofSeconds(10), "the client reaches the old primary", () -> refused.get() > 0);
        } finally {
            hammering.set(false);
            hammer.join(10_000);
        }
        assertThat(acknowledged).as("writes acknowledged by the old primary after it continued (%d refused)", refused.get()).hasValue(0);
        assertThat(a.status().lastSeq()).as("nothing committed on the old primary after the pause").isEqualTo(seq);
        assertThat(b.role()).isEqualTo(Role.PRIMARY);
        mutate(b, 3);
    }
}
