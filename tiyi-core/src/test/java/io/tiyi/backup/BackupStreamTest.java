package io.tiyi.backup;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;
import static io.tiyi.store.generated.Tables.MUTATION_LOG;
import static io.tiyi.store.generated.Tables.RELEASES;
import static io.tiyi.store.generated.Tables.RELEASE_ARTIFACTS;
import static io.tiyi.store.generated.Tables.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.MetricRegistry;
import io.tiyi.TiyiException;
import io.tiyi.audit.AuditChain;
import io.tiyi.cluster.ClusterState;
import io.tiyi.cluster.ClusterStates;
import io.tiyi.cluster.Role;
import io.tiyi.release.ReleaseMutations;
import io.tiyi.settings.Settings;
import io.tiyi.store.AuditEvent;
import io.tiyi.store.Blobs;
import io.tiyi.store.LogEntry;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.TestStores;
import io.tiyi.testsupport.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class BackupStreamTest {
    static final Duration RETENTION = Duration.ofHours(168);
    static final Duration RARELY = Duration.ofHours(1);
    static final Duration OFTEN = Duration.ofMillis(200);

    @TempDir
    Path tmp;

    Path streamDir;
    StateStore store;
    MutationPipeline pipeline;
    ClusterStates states;
    MetricRegistry metrics = new MetricRegistry();
    final List<BackupStream> streams = new ArrayList<>();

    @BeforeEach
    void open() throws IOException {
        store = TestStores.primary(tmp.resolve("state"));
        states = new ClusterStates(store);
        pipeline = TestStores.pipeline(store, states);
        streamDir = Files.createDirectory(tmp.resolve("stream"));
    }

    @AfterEach
    void close() {
        streams.forEach(BackupStream::close);
        pipeline.close();
        store.close();
    }

    BackupStream stream(Path dir, Duration snapshotEvery) {
        BackupStream s = new BackupStream(store, pipeline, dir, "test-node", states.current().epoch(), snapshotEvery, RETENTION, metrics);
        streams.add(s);
        return s;
    }

    BackupStream started(Duration snapshotEvery) {
        return stream(streamDir, snapshotEvery).start();
    }

    void mutate(int n) {
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                pipeline.apply("user:load", new Settings.Set("logs.retention_days", Integer.toString(1 + i % 30)));
            } else {
                pipeline.apply("user:load", new AuditEvent("test.load", "item:" + i, Map.of("i", i)));
            }
        }
    }

    /** Commits mutations on another thread until stopped. */
    final class Load implements AutoCloseable {
        final AtomicBoolean on = new AtomicBoolean(true);
        final Thread thread = new Thread(() -> {
            int i = 0;
            while (on.get()) {
                mutate(1 + i++ % 2);
            }
        }, "test-load");

        Load() {
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            on.set(false);
            thread.join();
        }
    }

    long lag() {
        return (Long) metrics.getGauges().get(BackupStream.LAG).getValue();
    }

    long lastSnapshotMs() {
        return (Long) metrics.getGauges().get(BackupStream.LAST_SNAPSHOT_MS).getValue();
    }

    long errors() {
        return metrics.counter(BackupStream.ERRORS).getCount();
    }

    static void await(BooleanSupplier cond, String what) throws InterruptedException {
        Await.until(Duration.ofSeconds(20), what, cond);
    }

    void awaitShipped() throws InterruptedException {
        await(() -> lag() == 0, "the stream to ship everything");
    }

    static List<LogEntry> log(StateStore s) {
        return s.read(db -> db.selectFrom(MUTATION_LOG).orderBy(MUTATION_LOG.SEQ)
                .fetch(r -> new LogEntry(r.getSeq(), r.getEpoch(), r.getTs(), r.getActor(), r.getKind(), r.getPayload())));
    }

    static List<Map<String, Object>> audit(StateStore s, long uptoSeq) {
        return s.read(db -> db.selectFrom(AUDIT_LOG).where(AUDIT_LOG.MUTATION_SEQ.le(uptoSeq)).orderBy(AUDIT_LOG.ID).fetch().intoMaps());
    }

    static String auditHeadAt(StateStore s, long seq) {
        return s.read(db -> db.select(AUDIT_LOG.HASH).from(AUDIT_LOG).where(AUDIT_LOG.MUTATION_SEQ.le(seq)).orderBy(AUDIT_LOG.ID.desc())
                .limit(1).fetchOne(AUDIT_LOG.HASH));
    }

    static List<Map<String, Object>> settings(StateStore s) {
        return s.read(db -> db.selectFrom(SETTINGS).orderBy(SETTINGS.NAME).fetch().intoMaps());
    }

    static List<String> integrity(StateStore s) {
        return s.read(db -> db.fetch("PRAGMA integrity_check").getValues(0, String.class));
    }

    static void backdate(Path dir, Duration by) throws IOException {
        FileTime old = FileTime.from(Instant.now().minus(by));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.toList()) {
                try {
                    Files.setLastModifiedTime(f, old);
                } catch (java.nio.file.NoSuchFileException e) {
                    // a temporary file the stream renamed meanwhile
                }
            }
        }
    }

    static boolean old(Path f) {
        return StreamFiles.modified(f) < Instant.now().minus(RETENTION).toEpochMilli();
    }

    static long oldSnapshots(Generation g) {
        try {
            return g.snapshots().stream().filter(snap -> old(snap.file())).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Checks a restore of the whole log against the source, table by table. */
    void assertRestoredEqualsSource(Path target, StreamRestore.Result r) {
        try (StateStore restored = StateStore.open(target)) {
            List<LogEntry> source = log(store);
            assertThat(log(restored)).isEqualTo(source.subList(0, (int) r.lastSeq()));
            assertThat(audit(restored, r.lastSeq())).isEqualTo(audit(store, r.lastSeq()));
            AuditChain.Verification chain = AuditChain.verify(restored, io.tiyi.store.TestStores.KEK);
            assertThat(chain.ok()).isTrue();
            assertThat(chain.headHash()).isEqualTo(r.auditHead()).isEqualTo(auditHeadAt(store, r.lastSeq()));
            assertThat(integrity(restored)).containsExactly("ok");
            assertThat(r.lastTs()).isEqualTo(Instant.ofEpochMilli(source.get((int) r.lastSeq() - 1).ts()));
            ClusterState cs = ClusterStates.read(restored).orElseThrow();
            assertThat(cs.role()).isEqualTo(Role.PRIMARY);
            assertThat(cs.readOnly()).as("a restored node must not be a second read-write primary").isTrue();
        }
    }

    @Test
    void restoresTheSourceExactlyAfterStreamingUnderLoadWithFrequentSnapshots() throws Exception {
        BackupStream s = started(OFTEN);
        Path during = tmp.resolve("restored-during-load");
        StreamRestore.Result whileWriting;
        try (Load load = new Load()) {
            Thread.sleep(1500);
            // The stream is read while it is written: a reader never sees a partial file.
            whileWriting = StreamRestore.restore(streamDir, during, Optional.empty(), false, io.tiyi.store.TestStores.KEK, false);
            Thread.sleep(500);
        }
        awaitShipped();
        s.close();
        assertThat(pipeline.lastSeq()).isGreaterThan(200);
        assertThat(s.generation().orElseThrow().snapshots()).hasSizeGreaterThanOrEqualTo(5);
        assertThat(s.generation().orElseThrow().segments()).as("each snapshot merges the small segments shipped since the one before")
                .hasSizeLessThan((int) pipeline.lastSeq() / 4);

        assertThat(whileWriting.lastSeq()).isBetween(1L, pipeline.lastSeq());
        assertRestoredEqualsSource(during, whileWriting);

        Path target = tmp.resolve("restored");
        StreamRestore.Result r = StreamRestore.restore(streamDir, target, Optional.empty(), false, io.tiyi.store.TestStores.KEK, false);
        assertThat(r.generation()).isEqualTo(s.generation().orElseThrow().name());
        assertThat(r.lastSeq()).isEqualTo(pipeline.lastSeq());
        assertThat(r.snapshotSeq()).as("a snapshot taken under load").isPositive().isLessThanOrEqualTo(r.lastSeq());
        assertRestoredEqualsSource(target, r);
        try (StateStore restored = StateStore.open(target)) {
            assertThat(settings(restored)).isEqualTo(settings(store));
        }
    }

    @Test
    void restoresTheLogAfterTheSnapshotWithTheBlobsItNames() throws Exception {
        BackupStream s = started(RARELY);
        await(() -> s.generation().isPresent(), "the first generation");
        mutate(4);
        byte[] jar = "not really a jar".getBytes();
        String sha = new Blobs(store).put(Blobs.sha256(jar), jar);
        pipeline.apply("user:admin", new ReleaseMutations.Import("r1", "1.2.3", "2026-11-01T00:00:00Z", "{}",
                List.of(new ReleaseMutations.ArtifactRow("tiyi.jar", "any", "any", jar.length, sha, "java -jar")), null, null));
        mutate(3);
        awaitShipped();
        s.close();
        assertThat(s.generation().orElseThrow().blobFile(sha)).hasBinaryContent(jar);

        Path target = tmp.resolve("restored");
        StreamRestore.Result r = StreamRestore.restore(streamDir, target, Optional.empty(), false, io.tiyi.store.TestStores.KEK, false);
        assertThat(r.snapshotSeq()).isZero();
        assertThat(r.lastSeq()).isEqualTo(pipeline.lastSeq()).isEqualTo(8);
        assertRestoredEqualsSource(target, r);
        try (StateStore restored = StateStore.open(target)) {
            assertThat(new Blobs(restored).get(sha)).hasValueSatisfying(b -> assertThat(b).isEqualTo(jar));
            List<Map<String, Object>> releases = restored.read(db -> db.selectFrom(RELEASES).fetch().intoMaps());
            assertThat(releases).hasSize(1).isEqualTo(store.read(db -> db.selectFrom(RELEASES).fetch().intoMaps()));
            List<Map<String, Object>> artifacts = restored.read(db -> db.selectFrom(RELEASE_ARTIFACTS).fetch().intoMaps());
            assertThat(artifacts).hasSize(1).isEqualTo(store.read(db -> db.selectFrom(RELEASE_ARTIFACTS).fetch().intoMaps()));
        }
    }

    @Test
    void restoresToAnEarlierPointInTime() throws Exception {
        BackupStream s = started(OFTEN);
        try (Load load = new Load()) {
            Thread.sleep(1500);
        }
        awaitShipped();
        s.close();
        List<LogEntry> source = log(store);
        Instant at = Instant.ofEpochMilli(source.get(source.size() / 2).ts());
        long expectedLast = source.stream().takeWhile(e -> e.ts() <= at.toEpochMilli()).mapToLong(LogEntry::seq).max().orElseThrow();

        Path target = tmp.resolve("restored");
        StreamRestore.Result r = StreamRestore.restore(streamDir, target, Optional.of(at), false, io.tiyi.store.TestStores.KEK, false);
        assertThat(r.lastSeq()).isEqualTo(expectedLast).isLessThan(pipeline.lastSeq());
        assertThat(r.lastTs()).isBeforeOrEqualTo(at);
        assertThat(r.snapshotSeq()).as("the newest snapshot at or before the time").isPositive().isLessThanOrEqualTo(expectedLast);
        assertThat(s.generation().orElseThrow().snapshots()).as("newer snapshots were passed over")
                .anySatisfy(snap -> assertThat(snap.seq()).isGreaterThan(expectedLast));
        assertRestoredEqualsSource(target, r);
    }

    @Test
    void aMissingSegmentFailsTheRestoreNamingTheGap() throws Exception {
        BackupStream s = started(RARELY);
        for (int i = 0; i < 3; i++) {
            mutate(5);
            awaitShipped();
        }
        s.close();
        List<Generation.Segment> segments = s.generation().orElseThrow().segments();
        assertThat(segments).hasSizeGreaterThanOrEqualTo(3);
        Generation.Segment lost = segments.get(1);
        Files.delete(lost.file());

        Path target = tmp.resolve("restored");
        assertThatThrownBy(() -> StreamRestore.restore(streamDir, target, Optional.empty(), false, io.tiyi.store.TestStores.KEK, false))
                .isInstanceOf(TiyiException.class)
                .hasMessageContaining("is missing seq " + lost.firstSeq() + "-" + lost.lastSeq());
        assertThat(target.resolve(StateStore.DB_FILE)).doesNotExist();
    }

    @Test
    void aNewEpochStartsANewGenerationAndNoWriterEntersAnotherNodesOrEpochsGeneration() throws Exception {
        BackupStream s = started(RARELY);
        mutate(3);
        awaitShipped();
        Generation first = s.generation().orElseThrow();
        assertThat(first.name()).startsWith("test-node-e1-");

        // What a promotion does on the node that becomes the primary of epoch 2.
        pipeline.onWriter(() -> states.setRoleAndEpoch(Role.PRIMARY, 2));
        mutate(3);
        await(() -> s.generation().map(g -> g.epoch() == 2).orElse(false) && lag() == 0, "a generation at epoch 2");
        s.close();
        Generation second = s.generation().orElseThrow();
        assertThat(second.name()).startsWith("test-node-e2-");
        assertThat(second.info()).hasValueSatisfying(i -> assertThat(i.epoch()).isEqualTo(2));
        assertThat(Generation.list(streamDir)).containsExactly(first, second);
        for (Generation.Segment seg : first.segments()) {
            assertThat(seg.read()).allSatisfy(e -> assertThat(e.epoch()).isEqualTo(1));
        }

        StreamRestore.Result r = StreamRestore.restore(streamDir, tmp.resolve("restored"), Optional.empty(), false, io.tiyi.store.TestStores.KEK, false);
        assertThat(r.generation()).isEqualTo(second.name());
        assertThat(r.lastSeq()).isEqualTo(pipeline.lastSeq());

        assertThatThrownBy(() -> GenerationWriter.open(second.dir(), "other-node", 2))
                .hasMessageContaining("belongs to node test-node at epoch 2");
        assertThatThrownBy(() -> GenerationWriter.open(first.dir(), "test-node", 2))
                .hasMessageContaining("belongs to node test-node at epoch 1");
        // A directory renamed to look like another node's is still refused by its generation.json.
        Path renamed = first.dir().resolveSibling("other-node-e1-" + first.started());
        Files.move(first.dir(), renamed);
        assertThatThrownBy(() -> GenerationWriter.open(renamed, "other-node", 1))
                .hasMessageContaining("generation.json belongs to node test-node at epoch 1");
        assertThat(GenerationWriter.open(second.dir(), "test-node", 2).generation()).isEqualTo(second);
    }

    @Test
    void aLogThatNoLongerHoldsTheLastShippedEntryStartsANewGeneration() throws Exception {
        BackupStream s = started(RARELY);
        mutate(3);
        awaitShipped();
        Generation first = s.generation().orElseThrow();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.dbFile()); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE mutation_log SET actor = 'someone:else' WHERE seq = " + pipeline.lastSeq());
        }
        mutate(1);
        await(() -> s.generation().map(g -> !g.equals(first)).orElse(false) && lag() == 0, "a new generation");
        assertThat(s.generation().orElseThrow().epoch()).isEqualTo(1);
        assertThat(first.segments()).allSatisfy(seg -> assertThat(seg.lastSeq()).isLessThan(pipeline.lastSeq()));
    }

    @Test
    void retentionRemovesOldGenerationsAndCoveredFilesButNeverTheCurrentGeneration() throws Exception {
        BackupStream earlier = started(RARELY);
        mutate(3);
        awaitShipped();
        earlier.close();
        Generation old = earlier.generation().orElseThrow();
        backdate(old.dir(), RETENTION.plusHours(1));

        BackupStream s = started(OFTEN);
        // Rounds of changes until the generation holds enough files for retention to have something to remove: two
        // rounds' changes can go out in one segment, so the number of rounds this takes is not fixed.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        do {
            mutate(2);
            awaitShipped();
            Thread.sleep(250);
        } while ((s.generation().orElseThrow().snapshots().size() < 4 || s.generation().orElseThrow().segments().size() < 4)
                && System.nanoTime() < deadline);
        await(() -> !Files.exists(old.dir()), "the old generation to go");
        Generation current = s.generation().orElseThrow();
        assertThat(current.snapshots()).hasSizeGreaterThanOrEqualTo(4);
        int segmentsBefore = current.segments().size();
        assertThat(segmentsBefore).isGreaterThanOrEqualTo(4);

        backdate(current.dir(), RETENTION.plusHours(1));
        mutate(2);
        await(() -> oldSnapshots(current) <= 1, "old snapshots to go");
        awaitShipped();
        s.close();

        assertThat(current.dir()).exists();
        long oldestKept = current.snapshots().stream().mapToLong(Generation.Snapshot::seq).min().orElseThrow();
        List<Generation.Segment> oldSegments = current.segments().stream().filter(seg -> old(seg.file())).toList();
        assertThat(oldSegments).as("old segments that a kept snapshot covers are gone")
                .hasSizeLessThan(segmentsBefore)
                .allSatisfy(seg -> assertThat(seg.lastSeq()).isGreaterThan(oldestKept));
        StreamRestore.Result r = StreamRestore.restore(streamDir, tmp.resolve("restored"), Optional.empty(), false, io.tiyi.store.TestStores.KEK, false);
        assertThat(r.generation()).isEqualTo(current.name());
        assertRestoredEqualsSource(tmp.resolve("restored"), r);
    }

    @Test
    void lagReturnsToZeroAndSnapshotTimeIsReported() throws Exception {
        mutate(5);
        BackupStream s = stream(streamDir, RARELY);
        assertThat(lag()).as("nothing shipped before start").isEqualTo(5);
        assertThat(lastSnapshotMs()).isZero();
        long before = System.currentTimeMillis();
        s.start();
        awaitShipped();
        assertThat(lastSnapshotMs()).isGreaterThanOrEqualTo(before);
        mutate(20);
        awaitShipped();
        assertThat(errors()).isZero();
        s.close();
        assertThat(metrics.getGauges()).doesNotContainKey(BackupStream.LAG);
    }

    @Test
    void aMissingDirectoryIsReportedCountedAndRetriedWithoutFailingMutations() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(BackupStream.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            Path missing = tmp.resolve("not-mounted");
            BackupStream s = stream(missing, RARELY).start();
            await(() -> errors() > 0, "an error to be counted");
            mutate(3);
            assertThat(lag()).isEqualTo(3);
            assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                    .contains("backup.stream.dir " + missing + " does not exist; create it or mount the backup volume there")
                    .doesNotContain("\n"));
            assertThat(missing).doesNotExist();

            Files.createDirectory(missing);
            awaitShipped();
            assertThat(s.generation()).isPresent();
            s.close();
            assertThat(StreamRestore.restore(missing, tmp.resolve("restored"), Optional.empty(), false, io.tiyi.store.TestStores.KEK, false).lastSeq()).isEqualTo(3);
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void restoreRefusesANonEmptyTargetUnlessForcedAndThenReplacesOnlyTheDatabase() throws Exception {
        BackupStream s = started(RARELY);
        mutate(2);
        awaitShipped();
        s.close();
        Path target = Files.createDirectory(tmp.resolve("restored"));
        Files.writeString(target.resolve(StateStore.DB_FILE), "an older node's database");
        Files.writeString(target.resolve("kek.bin"), "kept");

        assertThatThrownBy(() -> StreamRestore.restore(streamDir, target, Optional.empty(), false, io.tiyi.store.TestStores.KEK, false))
                .hasMessageContaining("state directory " + target + " is not empty");
        assertThat(target.resolve(StateStore.DB_FILE)).hasContent("an older node's database");

        StreamRestore.Result r = StreamRestore.restore(streamDir, target, Optional.empty(), true, io.tiyi.store.TestStores.KEK, false);
        assertThat(r.lastSeq()).isEqualTo(2);
        assertThat(target.resolve("kek.bin")).hasContent("kept");
        try (Stream<Path> files = Files.list(target)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(StateStore.DB_FILE, "kek.bin");
        }
        assertRestoredEqualsSource(target, r);
    }

    @Test
    void startRefusesANodeThatIsNotTheReadWritePrimary() {
        states.setReadOnly(true);
        assertThatThrownBy(() -> stream(streamDir, RARELY).start())
                .hasMessageContaining("a backup stream runs on the read-write primary: this node is test-node, primary (read-only) at epoch 1");
    }
}
