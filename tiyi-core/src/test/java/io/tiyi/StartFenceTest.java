package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.AgentsService;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.ReplicationService;
import io.tiyi.client.rpc.SystemService;
import io.tiyi.cluster.Role;
import io.tiyi.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start fence of a primary that restarts: nothing is acknowledged until it has confirmed
 * that no newer primary exists (from its peers, else from its agents' reports), and when it
 * cannot confirm it stays read-only and says why, until the operator resumes writes.
 */
class StartFenceTest {
    @TempDir
    Path root;

    private TiyiCluster cluster;

    private TiyiCluster start(boolean secondary, int agents, Duration fenceWait) {
        cluster = TiyiCluster.builder().root(root).secondary(secondary).agents(agents).fenceWait(fenceWait).build().start();
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

    /** ReplicationService/Status as a peer asks it, with the node's embedded agent credential. */
    private static JsonNode peerStatus(TiyiNode asker, String url) {
        return TiyiClient.of(url, asker.agent().orElseThrow().identity().credential(), Duration.ofSeconds(5)).call(ReplicationService.STATUS,
                Empty.INSTANCE);
    }

    @Test
    void aStandalonePrimaryTakesWritesAtOnceAfterARestart() throws Exception {
        start(false, 0, Duration.ofSeconds(30));
        mutate(cluster.primary(), 1);
        TiyiNode again = cluster.restartPrimary();
        // Writable as soon as start() returns: a node with no peer has nothing to wait for.
        assertThat(again.status().readOnly()).isFalse();
        assertThat(again.status().readOnlyReason()).isNull();
        mutate(again, 2);
        JsonNode st = peerStatus(again, cluster.apiUrl(TiyiCluster.PRIMARY));
        assertThat(st.get("primary_api").asText()).isEqualTo(cluster.apiUrl(TiyiCluster.PRIMARY));
        assertThat(st.get("primary_epoch").asLong()).isEqualTo(1);
    }

    @Test
    void aRestartedOldPrimaryStepsDownToTheReachableNewPrimaryWithoutAcknowledgingAWrite() throws Exception {
        start(true, 0, Duration.ofSeconds(30));
        TiyiNode a = cluster.primary();
        mutate(a, 1);
        Await.until(Duration.ofSeconds(30), "the secondary replicates", () -> cluster.secondary().status().lastSeq() == a.status().lastSeq());
        JsonNode onSecondary = peerStatus(cluster.secondary(), cluster.apiUrl(TiyiCluster.SECONDARY));
        assertThat(onSecondary.get("primary_api").asText()).as("a secondary names the primary it follows")
                .isEqualTo(cluster.apiUrl(TiyiCluster.PRIMARY));
        assertThat(onSecondary.get("primary_epoch").asLong()).isEqualTo(1);
        long killedAt = a.status().lastSeq();
        cluster.killPrimary();
        cluster.promote(true);

        // The client hammers the old primary's API from before it listens until it has stepped down.
        Path dir = root.resolve(TiyiCluster.PRIMARY);
        AtomicBoolean hammering = new AtomicBoolean(true);
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        Thread hammer = new Thread(() -> {
            int i = 0;
            while (hammering.get()) {
                Optional<LocalAdminCredential> c = LocalAdminCredential.read(dir);
                if (c.isEmpty()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                    continue;
                }
                try {
                    TiyiClient.of(c.get().api(), c.get().token(), Duration.ofSeconds(2)).raw("SystemService", "UpdateSetting",
                            Map.of("key", "logs.retention_days", "value", Integer.toString(1 + i++ % 30)));
                    acknowledged.incrementAndGet();
                } catch (TiyiApiException e) {
                    if (e.httpStatus() == 409) {
                        refused.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    // Not listening yet, or the credential of the last run: try again.
                }
            }
        }, "fence-hammer");
        hammer.start();
        TiyiNode old;
        try {
            old = cluster.restartPrimary();
            Await.until(Duration.ofSeconds(30), "the old primary steps down", () -> old.role() == Role.AGENT);
            Await.until(Duration.ofSeconds(10), "the client reaches the old primary", () -> refused.get() > 0);
        } finally {
            hammering.set(false);
            hammer.join(10_000);
        }
        assertThat(acknowledged).as("writes acknowledged by the old primary (%d refused)", refused.get()).hasValue(0);
        assertThat(old.status().lastSeq()).as("nothing committed on the old primary after its restart").isEqualTo(killedAt);
        JsonNode st = peerStatus(old, cluster.apiUrl(TiyiCluster.PRIMARY));
        assertThat(st.get("role").asText()).isEqualTo("agent");
        assertThat(st.get("primary_api").asText()).as("an agent-only former primary names the new one")
                .isEqualTo(cluster.apiUrl(TiyiCluster.SECONDARY));
        assertThat(st.get("primary_epoch").asLong()).isEqualTo(2);
    }

    @Test
    void anUnreachablePeerAndAgentsThatSawNoNewerEpochLetTheFenceOpen() throws Exception {
        start(true, 1, Duration.ofSeconds(30));
        TiyiNode a = cluster.primary();
        String agentId = cluster.agent(0).agent().orElseThrow().agentId();
        Await.until(Duration.ofSeconds(20), "the agent reports to the primary", () -> {
            for (JsonNode v : a.client().call(AgentsService.LIST, new AgentsService.ListRequest(null, null, null)).get("agents")) {
                if (v.get("id").asText().equals(agentId) && v.get("last_seen").asLong() > 0) {
                    return true;
                }
            }
            return false;
        });
        cluster.killSecondary();
        TiyiNode again = cluster.restartPrimary();
        if (again.status().readOnly()) {
            // Fenced until the agent's next report: the reason names the silent peer and counts the agents.
            assertThat(again.status().readOnlyReason()).contains(cluster.apiUrl(TiyiCluster.SECONDARY)).contains("did not answer")
                    .contains("of the 1 agents");
            JsonNode st = peerStatus(again, cluster.apiUrl(TiyiCluster.PRIMARY));
            assertThat(st.get("read_only").asBoolean()).isTrue();
            assertThat(st.get("primary_api").isNull()).as("a fenced primary does not claim to be the primary").isTrue();
        }
        Await.until(Duration.ofSeconds(30), "the agent's report opens the fence", () -> !again.status().readOnly());
        mutate(again, 3);
        assertThat(again.role()).isEqualTo(Role.PRIMARY);
    }

    @Test
    void anUnreachablePeerAndNoReportKeepTheFenceUntilTheOperatorResumesWrites() throws Exception {
        start(true, 0, Duration.ofSeconds(30));
        long seq = cluster.primary().status().lastSeq();
        cluster.killSecondary();
        TiyiNode again = cluster.restartPrimary();
        assertThat(again.status().readOnly()).isTrue();
        assertThat(again.status().readOnlyReason()).contains(cluster.apiUrl(TiyiCluster.SECONDARY)).contains("did not answer")
                .contains("stays read-only").contains("resume-writes");
        assertThatThrownBy(() -> mutate(again, 4)).isInstanceOfSatisfying(TiyiApiException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(409);
            assertThat(e.getMessage()).contains("did not answer");
        });
        JsonNode health = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(again.adminUrl() + "/healthz"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        assertThat(health.get("read_only").asBoolean()).isTrue();
        assertThat(health.get("read_only_reason").asText()).contains("did not answer");
        assertThat(again.client().call(SystemService.STATUS, Empty.INSTANCE).get("read_only_reason").asText()).contains("did not answer");
        assertThat(again.status().lastSeq()).isEqualTo(seq);

        again.client().call(SystemService.RESUME_WRITES, new SystemService.ResumeRequest(true));
        mutate(again, 5);
        assertThat(again.status().readOnly()).isFalse();
        assertThat(again.status().lastSeq()).isEqualTo(seq + 1);
    }
}
