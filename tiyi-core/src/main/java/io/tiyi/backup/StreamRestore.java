package io.tiyi.backup;

import io.tiyi.TiyiException;
import io.tiyi.audit.AuditChain;
import io.tiyi.cluster.ClusterStates;
import io.tiyi.crypto.Kek;
import io.tiyi.store.Blobs;
import io.tiyi.store.LogEntry;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.MutationTypes;
import io.tiyi.store.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Rebuilds a state.db from a backup stream written by {@link BackupStream}: the newest snapshot
 * that fits, then every later log entry replayed through the mutation pipeline, so state, log and
 * audit chain are the source's at the restored seq.
 *
 * <p>The result is a <em>read-only primary</em>: a node started on it serves reads and proxies
 * but accepts no change until an operator makes it writable, so a restore never creates a second
 * read-write primary beside one that still runs.
 */
public final class StreamRestore {
    private static final int BATCH = 1000;
    private static final List<String> DB_FILES = List.of(StateStore.DB_FILE, StateStore.DB_FILE + "-wal", StateStore.DB_FILE + "-shm");

    private StreamRestore() {}

    /**
     * What was restored.
     *
     * @param generation the generation's directory name ({@code <nodeId>-e<epoch>-<startMillis>})
     * @param snapshotSeq the seq of the snapshot it started from
     * @param lastSeq the last seq of the restored log
     * @param lastTs the commit time of that entry ({@link Instant#EPOCH} for an empty log)
     * @param auditHead the hash of the restored audit chain's last entry
     */
    public record Result(String generation, long snapshotSeq, long lastSeq, Instant lastTs, String auditHead) {}

    /** A generation and the snapshot in it a restore starts from. */
    private record Start(Generation generation, Generation.Snapshot snapshot) {}

    /**
     * Restores into {@code targetStateDir/state.db}.
     *
     * @param streamDir the stream's directory ({@code backup.stream.dir})
     * @param targetStateDir the state directory to restore into; created if missing
     * @param at restore the state as of this time (every entry committed at or before it), or the newest state
     * @param force replace the target's state.db (and its -wal and -shm) when the directory is not empty; other files stay
     * @param kek the source node's KEK: the replayed entries of the audit chain are keyed under it, as on the source
     * @param sameIdentity keep the embedded agent identity the target holds (a node replacing itself in place); otherwise it
     *     is removed and the node enrolls anew once it takes changes, so that it never reports as another node's agent
     * @throws TiyiException when there is nothing to restore from, the stream misses entries, or the result does not verify;
     *     the target is unchanged then
     */
    public static Result restore(Path streamDir, Path targetStateDir, Optional<Instant> at, boolean force, Kek kek, boolean sameIdentity) {
        Objects.requireNonNull(kek, "kek");
        Objects.requireNonNull(streamDir, "streamDir");
        Objects.requireNonNull(targetStateDir, "targetStateDir");
        Objects.requireNonNull(at, "at");
        Path target = targetStateDir.toAbsolutePath().normalize();
        try {
            Start start = findStart(streamDir, at);
            checkTarget(target, force);
            StreamFiles.ensurePrivateDirectory(target);
            Path work = target.resolve(".stream-restore-" + System.currentTimeMillis());
            try {
                StreamFiles.createPrivateDirectory(work);
                Files.copy(start.snapshot().file(), work.resolve(StateStore.DB_FILE));
                Result result = rebuild(work, start, at, kek);
                settle(work.resolve(StateStore.DB_FILE));
                for (String f : DB_FILES) {
                    Files.deleteIfExists(target.resolve(f));
                }
                if (!sameIdentity) {
                    Backups.forgetAgentIdentity(target);
                }
                StreamFiles.publish(work.resolve(StateStore.DB_FILE), target.resolve(StateStore.DB_FILE));
                return result;
            } finally {
                StreamFiles.deleteTree(work);
            }
        } catch (IOException e) {
            throw new TiyiException("cannot restore from " + streamDir + " into " + target + ": " + e, e);
        }
    }

    /** The newest generation with a snapshot at or before {@code at}, and its newest such snapshot. */
    private static Start findStart(Path streamDir, Optional<Instant> at) throws IOException {
        if (!Files.isDirectory(streamDir)) {
            throw TiyiException.notFound("backup stream directory " + streamDir + " does not exist");
        }
        // The highest epoch first: a primary fenced off by a promotion may have started a generation
        // later, but its history is the one the cluster abandoned.
        List<Generation> generations = Generation.list(streamDir).stream()
                .sorted(Comparator.comparingLong(Generation::epoch).thenComparingLong(Generation::started).reversed()).toList();
        for (Generation g : generations) {
            Optional<Generation.Info> info = g.info();
            if (info.isEmpty()) {
                continue;
            }
            if (!info.get().nodeId().equals(g.nodeId()) || info.get().epoch() != g.epoch()) {
                throw TiyiException.failedPrecondition(g.infoFile() + " names node " + info.get().nodeId() + " at epoch " + info.get().epoch()
                        + ", not what the directory's name says; move the directory out of " + streamDir.resolve(Generation.GENERATIONS));
            }
            List<Generation.Snapshot> snapshots = new ArrayList<>(g.snapshots());
            Collections.reverse(snapshots);
            for (Generation.Snapshot s : snapshots) {
                if (at.isEmpty() || lastTs(s) <= at.get().toEpochMilli()) {
                    return new Start(g, s);
                }
            }
        }
        if (at.isPresent()) {
            throw TiyiException.notFound("no snapshot in backup stream " + streamDir + " is at or before " + at.get()
                    + "; restore a later point (retention may have removed older snapshots)");
        }
        throw TiyiException.notFound("backup stream " + streamDir + " holds no generation with a snapshot");
    }

    /** The commit time of a snapshot's last entry; a snapshot of an empty log fits any time. */
    private static long lastTs(Generation.Snapshot s) {
        try {
            return io.tiyi.store.Snapshots.lastEntry(s.file()).map(LogEntry::ts).orElse(Long.MIN_VALUE);
        } catch (SQLException e) {
            throw TiyiException.failedPrecondition("backup stream snapshot " + s.file() + " cannot be read: " + e.getMessage());
        }
    }

    private static void checkTarget(Path target, boolean force) throws IOException {
        if (!Files.isDirectory(target) || force) {
            return;
        }
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isPresent()) {
                throw TiyiException.failedPrecondition("state directory " + target + " is not empty; restore into an empty directory, or force"
                        + " to replace its state.db (stop the node that uses it first)");
            }
        }
    }

    /** Opens the copied snapshot in {@code work}, replays the log after it and verifies the result. */
    private static Result rebuild(Path work, Start start, Optional<Instant> at, Kek kek) throws IOException {
        try (StateStore store = StateStore.open(work)) {
            store.migrate();
            Optional<String> written = store.storedKekFingerprint();
            if (written.isPresent() && !written.get().equals(kek.fingerprint())) {
                throw TiyiException.failedPrecondition("the backup stream was written by a node with KEK " + written.get() + ", the KEK given is "
                        + kek.fingerprint() + "; give the source node's KEK file (nothing was restored)");
            }
            // A read-only primary replays another node's log; it stays read-only when restored.
            ClusterStates states = new ClusterStates(store);
            states.setReadOnly(true);
            try (MutationPipeline pipeline = new MutationPipeline(store, AuditChain.open(store, kek), states)) {
                if (pipeline.lastSeq() != start.snapshot().seq()) {
                    throw TiyiException.failedPrecondition("backup stream snapshot " + start.snapshot().file() + " holds seq "
                            + pipeline.lastSeq() + ", not the seq its name says");
                }
                replay(start, at, store, pipeline);
                return verify(store, pipeline, start, kek);
            }
        }
    }

    private static void replay(Start start, Optional<Instant> at, StateStore store, MutationPipeline pipeline) throws IOException {
        Generation g = start.generation();
        Blobs blobs = new Blobs(store);
        long expected = start.snapshot().seq() + 1;
        long until = at.map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
        List<LogEntry> batch = new ArrayList<>();
        List<Generation.Segment> segments = g.segments();
        int relisted = 0;
        while (true) {
            Optional<Generation.Segment> seg = holding(segments, expected);
            if (seg.isEmpty()) {
                long next = expected;
                Optional<Generation.Segment> later = segments.stream().filter(s -> s.firstSeq() > next).findFirst();
                if (later.isPresent()) {
                    throw missing(g, expected, later.get().firstSeq() - 1, start);
                }
                break;
            }
            List<LogEntry> entries;
            try {
                entries = seg.get().read();
            } catch (NoSuchFileException e) {
                if (++relisted > 100) {
                    throw e;
                }
                // Merged into a longer segment meanwhile, which is in place before its parts go.
                segments = g.segments();
                continue;
            }
            for (LogEntry e : entries) {
                if (e.seq() < expected) {
                    continue;
                }
                if (e.ts() > until) {
                    apply(g, batch, blobs, pipeline);
                    return;
                }
                batch.add(e);
                expected++;
                if (batch.size() == BATCH) {
                    apply(g, batch, blobs, pipeline);
                }
            }
        }
        apply(g, batch, blobs, pipeline);
    }

    /** The segment that holds {@code seq}; of several, the one reaching furthest. */
    private static Optional<Generation.Segment> holding(List<Generation.Segment> segments, long seq) {
        return segments.stream().filter(s -> s.firstSeq() <= seq && seq <= s.lastSeq())
                .max(Comparator.comparingLong(Generation.Segment::lastSeq));
    }

    private static TiyiException missing(Generation g, long from, long to, Start start) {
        return TiyiException.failedPrecondition("backup stream generation " + g.name() + " is missing seq " + from + "-" + to
                + " (no segment under " + g.dir().resolve(Generation.LOG) + " holds it; restoring from the snapshot at seq " + start.snapshot().seq()
                + " needs it); restore a time before seq " + from + " was committed, or use a copy of the stream that has it");
    }

    /** Stores the blobs the batch names, then replays it; empties the batch. */
    private static void apply(Generation g, List<LogEntry> batch, Blobs blobs, MutationPipeline pipeline) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        Map<Long, Mutation<?>> decoded = new HashMap<>();
        for (LogEntry e : batch) {
            Mutation<?> m;
            try {
                m = MutationTypes.decode(e.kind(), e.payload());
            } catch (IllegalArgumentException ex) {
                throw TiyiException.failedPrecondition("cannot restore seq " + e.seq() + ": " + ex.getMessage());
            }
            decoded.put(e.seq(), m);
            for (String sha : m.blobs()) {
                if (blobs.has(sha)) {
                    continue;
                }
                Path f = g.blobFile(sha);
                if (!Files.isRegularFile(f)) {
                    throw TiyiException.failedPrecondition("blob " + sha + " named by seq " + e.seq() + " is missing from " + f.getParent());
                }
                blobs.put(sha, Files.readAllBytes(f));
            }
        }
        pipeline.replay(List.copyOf(batch), e -> decoded.get(e.seq()));
        batch.clear();
    }

    private static Result verify(StateStore store, MutationPipeline pipeline, Start start, Kek kek) {
        List<String> integrity = store.read(db -> db.fetch("PRAGMA integrity_check").getValues(0, String.class));
        if (!integrity.equals(List.of("ok"))) {
            throw TiyiException.failedPrecondition("the restored state.db fails SQLite's integrity check (" + String.join("; ", integrity)
                    + "); the snapshot " + start.snapshot().file() + " is damaged");
        }
        AuditChain.Verification chain = AuditChain.verify(store, kek);
        if (!chain.ok()) {
            throw TiyiException.failedPrecondition("the restored audit chain does not verify: " + chain.problem() + "; the backup stream "
                    + start.generation().dir() + " is damaged");
        }
        long lastSeq = pipeline.lastSeq();
        Instant lastTs = pipeline.entriesAfter(lastSeq - 1, 1).stream().findFirst().map(e -> Instant.ofEpochMilli(e.ts())).orElse(Instant.EPOCH);
        return new Result(start.generation().name(), start.snapshot().seq(), lastSeq, lastTs, chain.headHash());
    }

    /** Folds the WAL into the database file, so that one file holds the result and can be renamed into place. */
    private static void settle(Path db) throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=DELETE");
        } catch (SQLException e) {
            throw new IOException("cannot checkpoint " + db + ": " + e.getMessage(), e);
        }
        if (Files.exists(db.resolveSibling(StateStore.DB_FILE + "-wal"))) {
            throw new IOException(db + " still has a WAL after its checkpoint");
        }
    }
}
