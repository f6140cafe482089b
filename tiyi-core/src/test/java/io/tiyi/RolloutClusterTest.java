package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.release.ReleaseTarball;
import io.tiyi.store.Blobs;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Releases through the API of an in-JVM cluster: import with the artifact replicated to the
 * secondary before the import is replayed there, refusals, and a rollout to an agent that cannot
 * restart itself (it runs inside this JVM) ending failed with its reason.
 */
class RolloutClusterTest {
    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(1).withSecondary();

    TiyiCluster cluster;
    TiyiClient api;

    @BeforeEach
    void start() throws Exception {
        cluster = clusters.cluster();
        api = cluster.client();
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
    }

    static byte[] tarball(String version, byte[] jar) throws Exception {
        ReleaseTarball t = ReleaseTarball.create(version, Instant.parse("2026-11-28T12:00:00Z"), List.of(new ReleaseTarball.ArtifactInput(
                "tiyi.jar", "any", "any", "artifacts/tiyi.jar", "java -jar tiyi.jar", jar)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        t.writeTo(out);
        return out.toByteArray();
    }

    @Test
    void importReplicatesTheArtifactAndARolloutToAnAgentWithoutSupervisorFailsWithItsReason() throws Exception {
        byte[] jar = "not really a jar, but bytes with a checksum".getBytes(StandardCharsets.UTF_8);
        JsonNode rel = api.raw("ReleasesService", "Import", Map.of("tarball", tarball("3.0.1", jar)));
        assertThat(rel.get("version").asText()).isEqualTo("3.0.1");
        assertThat(rel.get("id").asText()).startsWith("rel-");
        assertThat(rel.get("artifacts").get(0).get("sha256").asText()).isEqualTo(Blobs.sha256(jar));

        assertThatThrownBy(() -> api.raw("ReleasesService", "Import", Map.of("tarball", tarball("3.0.1", jar))))
                .hasMessageContaining("release 3.0.1 is already imported");
        assertThatThrownBy(() -> api.raw("ReleasesService", "Import", Map.of("tarball", "not a tarball".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(400))
                .hasMessageContaining("not a gzip file");

        // The secondary holds the artifact: it fetched the blob before replaying the import.
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        Blobs onSecondary = new Blobs(storeOf(cluster.secondary()));
        assertThat(onSecondary.get(Blobs.sha256(jar))).hasValue(jar);

        String agentId = cluster.agent(0).agent().orElseThrow().identity().agentId();
        assertThatThrownBy(() -> api.raw("ReleasesService", "Apply", Map.of("release", "9.9.9"))).hasMessageContaining("no release '9.9.9'");
        assertThatThrownBy(() -> api.raw("ReleasesService", "Apply", Map.of("release", "3.0.1", "agent_ids", List.of("ag-nope"))))
                .hasMessageContaining("agent ag-nope cannot be upgraded");
        assertThatThrownBy(() -> api.raw("ReleasesService", "Rollback", Map.of())).hasMessageContaining("no agent to roll back");

        JsonNode run = api.raw("ReleasesService", "Apply", Map.of("release", rel.get("id").asText(), "agent_ids", List.of(agentId)));
        long id = run.get("id").asLong();
        assertThat(run.get("agents").get(0).get("state").asText()).isEqualTo("pending");
        JsonNode agent = awaitFinal(id);
        assertThat(agent.get("state").asText()).isEqualTo("failed");
        assertThat(agent.get("reason").asText()).contains("binary updates need the tiyi agent launcher");
        // Done is done: the command left the agent's bundle and is not run again.
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        assertThat(api.raw("AuditService", "List", Map.of("limit", 100)).toString()).contains("releases.import").contains("releases.apply")
                .contains("releases.agent_failed");
    }

    JsonNode awaitFinal(long rolloutId) {
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        return Await.value(Duration.ofSeconds(40), () -> "rollout " + rolloutId + " to finish; its agent was at " + seen.get(), () -> {
            for (JsonNode r : api.raw("ReleasesService", "Runs", Map.of()).get("runs")) {
                if (r.get("id").asLong() == rolloutId) {
                    seen.set(r.get("agents").get(0));
                }
            }
            return Optional.ofNullable(seen.get())
                    .filter(a -> a.get("state").asText().equals("failed") || a.get("state").asText().equals("healthy"));
        });
    }

    static io.tiyi.store.StateStore storeOf(TiyiNode node) {
        return NodeInternals.store(node);
    }
}
