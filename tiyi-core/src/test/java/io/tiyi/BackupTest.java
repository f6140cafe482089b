package io.tiyi;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;
import static io.tiyi.store.generated.Tables.MUTATION_LOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.backup.BackupManifest;
import io.tiyi.backup.Backups;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.AgentsService;
import io.tiyi.client.rpc.SystemService;
import io.tiyi.store.StateStore;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups of a running node under a steady stream of mutations: the restored state equals the
 * source at the manifest's seq, the restored node is a read-only primary, and a damaged backup is
 * refused by verify and by restore.
 */
class BackupTest {
    @TempDir
    Path dir;

    @Test
    void aSnapshotUnderLoadRestoresToTheSourceAtItsSeq() throws Exception {
        Path state = dir.resolve("node");
        Path out = dir.resolve("b.tar.gz");
        BackupManifest m;
        AtomicLong worstMs = new AtomicLong();
        AtomicLong committed = new AtomicLong();
        try (TiyiNode node = TiyiNode.builder().stateDir(state).adminAddress("127.0.0.1:0").httpAddress("127.0.0.1:0")
                .httpsAddress("127.0.0.1:0").build().start()) {
            TiyiClient api = node.client();
            AtomicBoolean run = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                int i = 0;
                while (run.get()) {
                    long t0 = System.nanoTime();
                    api.raw("SystemService", "UpdateSetting", Map.of("key", "logs.retention_days", "value", Integer.toString(1 + i++ % 300)));
                    worstMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    committed.incrementAndGet();
                }
            });
            writer.start();
            Thread.sleep(300);
            m = Backups.create(state, null, null, out, true).manifest();
            Thread.sleep(300);
            run.set(false);
            writer.join(10_000);
            System.out.printf("backup under load: snapshot %d ms at seq %d; %d mutations committed meanwhile, slowest %d ms%n",
                    m.snapshotMillis(), m.lastSeq(), committed.get(), worstMs.get());
        }
        assertThat(m.lastSeq()).isGreaterThan(5);
        assertThat(m.kekIncluded()).isTrue();
        assertThat(Files.getPosixFilePermissions(out)).extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");

        Backups.Verified v = Backups.verify(out);
        assertThat(v.auditHead()).isEqualTo(m.auditHead());

        Path restored = dir.resolve("restored");
        Backups.restore(out, restored, false, false);
        try (StateStore src = StateStore.open(state); StateStore dst = StateStore.open(restored)) {
            List<Record> a = src.read(db -> db.select(MUTATION_LOG.fields()).from(MUTATION_LOG).where(MUTATION_LOG.SEQ.le(m.lastSeq()))
                    .orderBy(MUTATION_LOG.SEQ).fetch());
            List<Record> b = dst.read(db -> db.select(MUTATION_LOG.fields()).from(MUTATION_LOG).orderBy(MUTATION_LOG.SEQ).fetch());
            assertThat(b).as("the restored log is the source's up to the manifest's seq").isEqualTo(a);
            String srcHead = src.read(db -> db.select(AUDIT_LOG.HASH).from(AUDIT_LOG).where(AUDIT_LOG.MUTATION_SEQ.le(m.lastSeq()))
                    .orderBy(AUDIT_LOG.ID.desc()).limit(1).fetchOne(AUDIT_LOG.HASH));
            assertThat(m.auditHead()).isEqualTo(srcHead);
            assertThat(io.tiyi.cluster.ClusterStates.read(dst).orElseThrow().readOnly()).as("a restored node starts read-only").isTrue();
            assertThat(io.tiyi.cluster.ClusterStates.read(dst).orElseThrow().epoch()).isEqualTo(m.epoch());
        }
        assertThat(restored.resolve("kek.bin")).hasSameBinaryContentAs(state.resolve("kek.bin"));
        assertThatThrownBy(() -> Backups.restore(out, restored, false, false)).hasMessageContaining("is not empty").hasMessageContaining("--force");

        // The restored node starts, read-only, with the same chain; writes resume when told.
        try (TiyiNode node = TiyiNode.builder().stateDir(restored).adminAddress("127.0.0.1:0").httpAddress("127.0.0.1:0")
                .httpsAddress("127.0.0.1:0").build().start()) {
            TiyiClient api = node.client();
            assertThat(api.raw("AuditService", "VerifyChain", Map.of()).get("head_hash").asText()).isEqualTo(m.auditHead());
            assertThatThrownBy(() -> api.raw("SystemService", "UpdateSetting", Map.of("key", "logs.retention_days", "value", "3")))
                    .hasMessageContaining("read-only");
            assertThatThrownBy(() -> api.raw("SystemService", "ResumeWrites", Map.of())).hasMessageContaining("--yes");
            api.raw("SystemService", "ResumeWrites", Map.of("yes", true));
            api.raw("SystemService", "UpdateSetting", Map.of("key", "logs.retention_days", "value", "3"));
        }
    }

    @Test
    void aDamagedBackupIsRefusedByVerifyAndRestore() throws Exception {
        Path state = dir.resolve("node");
        try (TiyiNode node = TiyiNode.builder().stateDir(state).adminAddress("127.0.0.1:0").httpAddress("127.0.0.1:0")
                .httpsAddress("127.0.0.1:0").build().start()) {
            node.client().raw("SystemService", "UpdateSetting", Map.of("key", "logs.retention_days", "value", "5"));
        }
        Path asDir = dir.resolve("backup-dir");
        Backups.create(state, null, null, asDir, false);
        assertThat(asDir.resolve("kek.bin")).doesNotExist();
        Backups.verify(asDir);
        try (RandomAccessFile f = new RandomAccessFile(asDir.resolve("state.db").toFile(), "rw")) {
            f.seek(5000);
            int b = f.read();
            f.seek(5000);
            f.write(b ^ 0x40);
        }
        assertThatThrownBy(() -> Backups.verify(asDir)).hasMessageContaining("backup member state.db is corrupt");
        Path target = dir.resolve("r");
        assertThatThrownBy(() -> Backups.restore(asDir, target, false, false)).hasMessageContaining("corrupt");
        assertThat(target.resolve("state.db")).doesNotExist();
        assertThatThrownBy(() -> Backups.verify(dir.resolve("nope.tar.gz"))).hasMessageContaining("no such backup");
        Path notGz = dir.resolve("x.tar.gz");
        Files.writeString(notGz, "hello");
        assertThatThrownBy(() -> Backups.verify(notGz)).hasMessageContaining("not a complete .tar.gz backup");
    }
    @Test
    void aNodeRestoredBesideItsLiveSourceEnrollsUnderANewAgentIdentityUnlessToldSameIdentity() throws Exception {
        Path state = dir.resolve("source");
        Path out = dir.resolve("source.tar.gz");
        try (TiyiNode source = TiyiNode.builder().stateDir(state).adminAddress("127.0.0.1:0").httpAddress("127.0.0.1:0")
                .httpsAddress("127.0.0.1:0").build().start()) {
            String sourceAgent = source.agent().orElseThrow().agentId();
            assertThat(sourceAgent).isNotNull();
            Backups.create(state, null, null, out, true);

            Path restored = dir.resolve("restored");
            Backups.restore(out, restored, false, false);
            assertThat(restored.resolve("agent/agent.json")).as("the source's identity is not restored").doesNotExist();
            try (TiyiNode copy = TiyiNode.builder().stateDir(restored).adminAddress("127.0.0.1:0").httpAddress("127.0.0.1:0")
                    .httpsAddress("127.0.0.1:0").build().start()) {
                assertThat(copy.agent().orElseThrow().agentId()).as("no identity before writes resume").isNull();
                copy.client().call(SystemService.RESUME_WRITES, new SystemService.ResumeRequest(true));
                String copyAgent = copy.agent().orElseThrow().agentId();
                assertThat(copyAgent).isNotNull().isNotEqualTo(sourceAgent);
                io.tiyi.testsupport.Await.until(java.time.Duration.ofSeconds(20), "the restored node's agent reports under its new id",
                        () -> lastSeen(copy, copyAgent) > 0);
                assertThat(lastSeen(copy, sourceAgent)).as("nothing reports as the source's agent on the restored node").isZero();
            }
            assertThat(lastSeen(source, sourceAgent)).as("the source's agent still reports to the source").isPositive();

            Path inPlace = dir.resolve("in-place");
            Backups.restore(out, inPlace, false, true);
            assertThat(inPlace.resolve("agent/agent.json")).as("--same-identity keeps it").hasSameBinaryContentAs(state.resolve("agent/agent.json"));
        }
    }

    private static long lastSeen(TiyiNode node, String agentId) {
        for (com.fasterxml.jackson.databind.JsonNode a : node.client().call(AgentsService.LIST, new AgentsService.ListRequest(null, null, null))
                .get("agents")) {
            if (a.get("id").asText().equals(agentId)) {
                return a.get("last_seen").asLong();
            }
        }
        return 0;
    }
}
