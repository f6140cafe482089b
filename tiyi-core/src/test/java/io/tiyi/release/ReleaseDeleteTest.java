package io.tiyi.release;

import static io.tiyi.store.generated.Tables.BLOBS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.fleet.Fleet;
import io.tiyi.store.Blobs;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.TestStores;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which releases delete and retention keep, on a real state.db: what an agent would roll back to stays. */
class ReleaseDeleteTest {
    @TempDir
    Path dir;

    StateStore store;
    MutationPipeline pipeline;
    Releases releases;
    final AtomicInteger keep = new AtomicInteger(0);
    final Ed25519KeyPair key = Ed25519KeyPair.generate();

    @BeforeEach
    void open() {
        store = TestStores.primary(dir);
        pipeline = TestStores.pipeline(store);
        releases = new Releases(store, pipeline, new Blobs(store), new Fleet(store, pipeline), () -> true, () -> key, keep::get);
    }

    @AfterEach
    void close() {
        pipeline.close();
        store.close();
    }

    Releases.Release importRelease(String version) throws Exception {
        ReleaseTarball t = ReleaseTarball.create(version, Instant.parse("2026-11-28T12:00:00Z"), List.of(new ReleaseTarball.ArtifactInput(
                "tiyi.jar", "any", "any", "artifacts/tiyi.jar", "java -jar tiyi.jar", ("jar of " + version).getBytes(StandardCharsets.UTF_8))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        t.writeTo(out);
        return releases.importTarball("user:admin", out.toByteArray(), null);
    }

    /** An agent upgraded from {@code from} to {@code to} and healthy: a rollback would take it back to {@code from}. */
    void upgraded(String agentId, String from, Releases.Release to) {
        long id = pipeline.apply("user:admin", new ReleaseMutations.StartRollout("apply", to.id(), to.version(), List.of(
                new ReleaseMutations.Target(agentId, from, to.version(), to.artifacts().get(0).sha256(), to.artifacts().get(0).size())))).result();
        pipeline.apply("agent:" + agentId, new ReleaseMutations.SetTargetState(id, agentId, "healthy", null, to.version()));
    }

    @Test
    void theReleaseAnAgentWouldRollBackToStays() throws Exception {
        Releases.Release old = importRelease("3.0.1");
        Releases.Release next = importRelease("3.0.2");
        upgraded("ag-1", "3.0.1", next);

        assertThatThrownBy(() -> releases.delete("user:admin", "3.0.1")).hasMessageContaining("release 3.0.1 (" + old.id() + ") is in use")
                .hasMessageContaining("agent ag-1 would roll back to it (tiyi release rollback)");
        keep.set(1);
        importRelease("3.0.3");
        // 3.0.2's rollout finished and no enrolled agent reports it: retention retires it; 3.0.1 stays.
        assertThat(releases.list()).extracting(Releases.Release::version).containsExactly("3.0.3", "3.0.1");
        assertThat((int) store.read(db -> db.fetchCount(BLOBS))).isEqualTo(2);
    }

    @Test
    void anUnsignedReleaseFromBeforeSigningIsNotApplied() throws Exception {
        byte[] jar = "legacy".getBytes(StandardCharsets.UTF_8);
        String sha = new Blobs(store).put(Blobs.sha256(jar), jar);
        pipeline.apply("user:admin", new ReleaseMutations.Import("rel-legacy", "2.9.0", "2026-01-01T00:00:00Z", "{}",
                List.of(new ReleaseMutations.ArtifactRow("tiyi.jar", "any", "any", jar.length, sha, "java -jar tiyi.jar")), null, null));
        assertThatThrownBy(() -> releases.apply("user:admin", "2.9.0", List.of()))
                .hasMessageContaining("release 2.9.0 was imported before releases were signed")
                .hasMessageContaining("tiyi release delete 2.9.0");
        assertThat(releases.delete("user:admin", "2.9.0").freedBlobs()).containsExactly(sha);
    }

    @Test
    void importChecksThePublishersSha256() throws Exception {
        assertThatThrownBy(() -> releases.importTarball("user:admin", new byte[] {1, 2, 3}, "00".repeat(32)))
                .hasMessageContaining("release tarball refused: its SHA-256 is " + Blobs.sha256(new byte[] {1, 2, 3}))
                .hasMessageContaining("not the expected " + "00".repeat(32));
        assertThatThrownBy(() -> releases.importTarball("user:admin", new byte[] {1}, "abc")).hasMessageContaining("sha256 'abc' is not 64 hex digits");
        assertThat(releases.list()).isEmpty();
    }
}
