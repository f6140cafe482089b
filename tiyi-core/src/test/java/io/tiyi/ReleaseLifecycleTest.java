package io.tiyi;

import static io.tiyi.store.generated.Tables.BLOBS;
import static io.tiyi.store.generated.Tables.BLOB_CHUNKS;
import static io.tiyi.store.generated.Tables.BUNDLE_SIGNING_KEY;
import static io.tiyi.store.generated.Tables.RELEASES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.bundle.SignedRelease;
import io.tiyi.client.TiyiClient;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.store.Blobs;
import io.tiyi.store.Snapshots;
import io.tiyi.store.StateStore;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Releases that are safe to apply, delete and trust, through the API of an in-JVM cluster: a
 * same-version apply refused before anything starts, delete and retention freeing the artifact
 * blobs on the primary and the secondary, an agent refusing a manifest or an artifact changed in
 * state.db after import, and manifests signed again when the signing key rotates.
 */
class ReleaseLifecycleTest {
    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(1).withSecondary();

    @TempDir
    Path tmp;

    TiyiCluster cluster;
    TiyiClient api;
    String agentId;

    @BeforeEach
    void start() throws Exception {
        cluster = clusters.cluster();
        api = cluster.client();
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        agentId = cluster.agent(0).agent().orElseThrow().identity().agentId();
        // The agent must have reported its version: the same-version check reads it.
        Await.until(Duration.ofSeconds(20), "agent report", () -> api.raw("AgentsService", "List", Map.of()).toString()
                .contains(TiyiVersion.version()));
    }

    static byte[] jar(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    JsonNode importRelease(String version, byte[] jar) throws Exception {
        return api.raw("ReleasesService", "Import", Map.of("tarball", RolloutClusterTest.tarball(version, jar)));
    }

    @Test
    void applyingTheVersionTheAgentRunsIsRefusedBeforeAnyRolloutStarts() throws Exception {
        importRelease(TiyiVersion.version(), jar(1000, 1));

        assertThatThrownBy(() -> api.raw("ReleasesService", "Apply", Map.of("release", TiyiVersion.version(), "agent_ids", List.of(agentId))))
                .hasMessageContaining("agent " + agentId + " already runs tiyi " + TiyiVersion.version()).hasMessageContaining("nothing was started");
        assertThatThrownBy(() -> api.raw("ReleasesService", "Apply", Map.of("release", TiyiVersion.version())))
                .hasMessageContaining("no agent to upgrade to " + TiyiVersion.version())
                .hasMessageContaining(agentId + " (already on " + TiyiVersion.version() + ")");
        // No rollout, so no command in the agent's bundle and nothing downloaded.
        assertThat(api.raw("ReleasesService", "Runs", Map.of()).get("runs")).isEmpty();
    }

    @Test
    void deleteAndRetentionFreeTheArtifactBlobsOnBothNodesAndShrinkTheBackup() throws Exception {
        api.raw("SystemService", "UpdateSetting", Map.of("key", "releases.keep", "value", "2"));
        byte[] first = jar(2 << 20, 2);
        byte[] shared = jar(1 << 20, 3);
        importRelease("3.0.1", first);
        importRelease("3.0.2", shared);
        importRelease("3.0.3", shared);
        StateStore primary = NodeInternals.store(cluster.primary());
        StateStore secondary = NodeInternals.store(cluster.secondary());

        // Retention at the third import deleted the oldest and its blob; the two newest share one blob.
        assertThat(versions()).containsExactly("3.0.3", "3.0.2");
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        for (StateStore s : List.of(primary, secondary)) {
            assertThat(blobs(s)).containsExactly(Blobs.sha256(shared));
        }

        long before = snapshotSize(primary, "before");
        JsonNode deleted = api.raw("ReleasesService", "Delete", Map.of("release", "3.0.2"));
        assertThat(deleted.get("freed_blobs")).isEmpty();
        assertThat(blobs(primary)).containsExactly(Blobs.sha256(shared));
        deleted = api.raw("ReleasesService", "Delete", Map.of("release", "3.0.3"));
        assertThat(deleted.get("freed_blobs").get(0).asText()).isEqualTo(Blobs.sha256(shared));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        for (StateStore s : List.of(primary, secondary)) {
            assertThat(blobs(s)).isEmpty();
            assertThat((int) s.read(db -> db.fetchCount(BLOB_CHUNKS))).isZero();
            assertThat((int) s.read(db -> db.fetchCount(RELEASES))).isZero();
        }
        // The shared 1 MiB artifact is no longer in what a backup copies (the two deletes' own log and audit rows are).
        assertThat(snapshotSize(primary, "after")).isLessThan(before - 900 * 1024);
        assertThatThrownBy(() -> api.raw("ReleasesService", "Delete", Map.of("release", "3.0.3"))).hasMessageContaining("no release '3.0.3'");
        assertThat(api.raw("AuditService", "List", Map.of("limit", 100)).toString()).contains("releases.delete").contains("retention");
    }

    @Test
    void aReleaseAnAgentRunsIsNotDeleted() throws Exception {
        importRelease(TiyiVersion.version(), jar(1000, 4));
        assertThatThrownBy(() -> api.raw("ReleasesService", "Delete", Map.of("release", TiyiVersion.version())))
                .hasMessageContaining("release " + TiyiVersion.version()).hasMessageContaining("is in use and was not deleted")
                .hasMessageContaining("agent " + agentId + " runs it");
        assertThat(versions()).containsExactly(TiyiVersion.version());
    }

    @Test
    void aReleaseInAnUnfinishedRolloutIsNeitherDeletedNorRetiredByRetention() throws Exception {
        importRelease("3.2.0", jar(1000, 10));
        // The agent is down: its rollout stays pending.
        cluster.stopAgent(0);
        long rollout = api.raw("ReleasesService", "Apply", Map.of("release", "3.2.0", "agent_ids", List.of(agentId))).get("id").asLong();

        assertThatThrownBy(() -> api.raw("ReleasesService", "Delete", Map.of("release", "3.2.0")))
                .hasMessageContaining("release 3.2.0").hasMessageContaining("rollout " + rollout + " is applying it to agent " + agentId);
        api.raw("SystemService", "UpdateSetting", Map.of("key", "releases.keep", "value", "1"));
        importRelease("3.2.1", jar(1000, 11));
        assertThat(versions()).containsExactly("3.2.1", "3.2.0");
        assertThat(blobs(NodeInternals.store(cluster.primary()))).contains(Blobs.sha256(jar(1000, 10)));
    }

    @Test
    void anAgentRefusesAManifestChangedAfterImport() throws Exception {
        importRelease("3.1.0", jar(1000, 5));
        // Someone with write access to state.db but not the KEK points the release at other bytes.
        StateStore primary = NodeInternals.store(cluster.primary());
        primary.writeLocal(db -> db.update(RELEASES).set(RELEASES.MANIFEST, RELEASES.MANIFEST.replace("2026-11-28", "2026-11-29")).execute());

        JsonNode agent = failedOn(api.raw("ReleasesService", "Apply", Map.of("release", "3.1.0", "agent_ids", List.of(agentId))));
        assertThat(agent.get("reason").asText()).contains("refused").contains("signature does not verify with the pinned key");
    }

    @Test
    void anAgentRefusesAnArtifactChangedAfterImport() throws Exception {
        byte[] jar = jar(1000, 6);
        importRelease("3.1.0", jar);
        StateStore primary = NodeInternals.store(cluster.primary());
        byte[] other = jar(1000, 7);
        primary.writeLocal(db -> db.update(BLOB_CHUNKS).set(BLOB_CHUNKS.DATA, other).where(BLOB_CHUNKS.SHA256.eq(Blobs.sha256(jar))).execute());
        // An agent under a supervisor: it gets as far as the download.
        cluster.agent(0).agent().orElseThrow().onRestart(() -> {
            throw new AssertionError("a refused artifact must never be switched to");
        });

        JsonNode agent = failedOn(api.raw("ReleasesService", "Apply", Map.of("release", "3.1.0", "agent_ids", List.of(agentId))));
        assertThat(agent.get("reason").asText()).contains("refused: downloaded artifact has SHA-256 " + Blobs.sha256(other))
                .contains("the signed release manifest says " + Blobs.sha256(jar));
    }

    @Test
    void aSigningKeyRotationSignsTheImportedManifestsAgainWithTheNewKey() throws Exception {
        importRelease("3.1.0", jar(1000, 8));
        StateStore primary = NodeInternals.store(cluster.primary());
        // A manifest changed after import is not laundered by the rotation: it stays signed by the old key.
        importRelease("3.1.1", jar(1000, 9));
        primary.writeLocal(db -> db.update(RELEASES).set(RELEASES.MANIFEST, RELEASES.MANIFEST.replace("2026-11-28", "2026-11-29"))
                .where(RELEASES.VERSION.eq("3.1.1")).execute());
        String before = signedBy(primary, "3.1.0");

        api.raw("BundlesService", "RotateSigningKey", Map.of("yes", true));

        byte[] key = primary.read(db -> db.select(BUNDLE_SIGNING_KEY.PUBLIC_KEY).from(BUNDLE_SIGNING_KEY).fetchOne(BUNDLE_SIGNING_KEY.PUBLIC_KEY));
        assertThat(signedBy(primary, "3.1.0")).isEqualTo(Ed25519KeyPair.fingerprint(key)).isNotEqualTo(before);
        assertThat(signed(primary, "3.1.0").verifiesWith(key)).isTrue();
        assertThat(signedBy(primary, "3.1.1")).isEqualTo(before);
        assertThat(signed(primary, "3.1.1").verifiesWith(key)).isFalse();
        // Replicated: the secondary holds the same signatures (agents refuse the new key, so the cluster does not converge).
        StateStore secondary = NodeInternals.store(cluster.secondary());
        Await.until(Duration.ofSeconds(30), "the secondary to replay the new signature", () -> {
            SignedRelease held = signed(secondary, "3.1.0");
            return held != null && held.verifiesWith(key); // null until the secondary has replayed the import itself
        });
    }

    static String signedBy(StateStore s, String version) {
        return s.read(db -> db.select(RELEASES.SIGNED_BY).from(RELEASES).where(RELEASES.VERSION.eq(version)).fetchOne(RELEASES.SIGNED_BY));
    }

    static SignedRelease signed(StateStore s, String version) {
        return s.read(db -> db.select(RELEASES.MANIFEST, RELEASES.SIGNATURE).from(RELEASES).where(RELEASES.VERSION.eq(version))
                .fetchOne(r -> new SignedRelease(r.value1(), r.value2())));
    }

    JsonNode failedOn(JsonNode run) {
        long id = run.get("id").asLong();
        return Await.value(Duration.ofSeconds(40), "rollout " + id + " to fail", () -> {
            for (JsonNode r : api.raw("ReleasesService", "Runs", Map.of()).get("runs")) {
                JsonNode a = r.get("agents").get(0);
                if (r.get("id").asLong() == id && a.get("state").asText().equals("failed")) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        });
    }

    List<String> versions() {
        return api.raw("ReleasesService", "List", Map.of()).get("releases").findValuesAsText("version");
    }

    static List<String> blobs(StateStore s) {
        return s.read(db -> db.select(BLOBS.SHA256).from(BLOBS).fetch(BLOBS.SHA256));
    }

    /** The size of a snapshot as a backup takes it (VACUUM INTO). */
    long snapshotSize(StateStore s, String name) throws Exception {
        Path f = tmp.resolve(name + ".db");
        Snapshots.vacuumInto(s.dbFile(), f);
        return Files.size(f);
    }
}
