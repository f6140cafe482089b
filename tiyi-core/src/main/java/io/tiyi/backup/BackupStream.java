package io.tiyi.backup;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.tiyi.TiyiException;
import io.tiyi.cluster.ClusterState;
import io.tiyi.cluster.ClusterStates;
import io.tiyi.cluster.Role;
import io.tiyi.internal.Backoff;
import io.tiyi.store.Blobs;
import io.tiyi.store.LogEntry;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a read-write primary's state to a directory, Litestream-style: a consistent snapshot of
 * state.db when a generation starts and every {@code snapshotEvery}, and every committed
 * {@code mutation_log} entry soon after its commit as segment files, so that
 * {@link StreamRestore} can rebuild state.db at any point within the retention window.
 *
 * <p>A generation ({@code generations/<nodeId>-e<epoch>-<startMillis>/}) is one unbroken run of
 * the log from its first snapshot on. A new one starts at {@link #start()} and whenever the
 * stream cannot prove that the next entry follows the last one it shipped: the log no longer
 * holds that entry as shipped (state.db was replaced), the node's epoch changed (a promotion),
 * or the generation's directory vanished. The writer never writes into a generation of another
 * node or epoch.
 *
 * <p>One background thread does all the work; a commit only wakes it. Failures (a full disk, a
 * missing directory) are logged as one warning naming what to fix, counted in
 * {@code tiyi.backup.stream.errors} and retried with backoff; they never reach the pipeline.
 */
final class BackupStream implements AutoCloseable {
    /** Gauge: the store's last seq minus the last seq shipped to the stream. */
    public static final String LAG = "tiyi.backup.stream.lag";
    /** Gauge: when the last snapshot was taken, epoch ms (0 before the first). */
    public static final String LAST_SNAPSHOT_MS = "tiyi.backup.stream.last_snapshot_ms";
    /** Counter: failed attempts to write the stream. */
    public static final String ERRORS = "tiyi.backup.stream.errors";

    private static final Logger LOG = LoggerFactory.getLogger(BackupStream.class);
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int BATCH = 1000;
    private static final long IDLE_WAKE_MS = 1000;
    private static final long MAX_BACKOFF_MS = 30_000;
    /** A warning that repeats unchanged is logged again after this long, not at every retry. */
    private static final long REPEAT_WARNING_MS = 60_000;

    private final StateStore store;
    private final MutationPipeline pipeline;
    private final Path streamDir;
    private final String nodeId;
    private final long epoch;
    private final Duration snapshotEvery;
    private final Duration retention;
    private final MetricRegistry metrics;
    private final Blobs blobs;
    private final Counter errors;
    private final Gauge<Long> lagGauge;
    private final Gauge<Long> lastSnapshotGauge;
    private final Semaphore wake = new Semaphore(0);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running;
    private volatile long lastShipped;
    private volatile long lastSnapshotMs;

    // Written only by the stream thread.
    private volatile GenerationWriter generation;
    /** The last shipped entry; the store must still hold it as shipped for the next one to continue the generation. */
    private Optional<LogEntry> anchor = Optional.empty();
    private long nextSnapshotAt;
    /** Segments up to this seq are merged already (see {@link Compaction}). */
    private long compactedUpTo;
    private boolean paused;
    private String lastWarning = "";
    private long lastWarningAt;

    /**
     * @param store the node's state.db
     * @param pipeline its mutation pipeline; the stream reads its log and listens for commits
     * @param streamDir {@code backup.stream.dir}; must exist (a volume that is not mounted must not fill the local disk)
     * @param nodeId this node's id, as in {@code cluster_state}
     * @param epoch the epoch it is the read-write primary at
     * @param snapshotEvery how often a snapshot is taken; shorter than {@code retention}
     * @param retention how far back a restore must remain possible ({@code backup.stream.retention})
     * @param metrics where the lag, last snapshot time and error count are registered
     */
    public BackupStream(StateStore store, MutationPipeline pipeline, Path streamDir, String nodeId, long epoch, Duration snapshotEvery,
            Duration retention, MetricRegistry metrics) {
        this.store = Objects.requireNonNull(store, "store");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.streamDir = Objects.requireNonNull(streamDir, "streamDir").toAbsolutePath().normalize();
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.epoch = epoch;
        this.snapshotEvery = Objects.requireNonNull(snapshotEvery, "snapshotEvery");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        if (!NODE_ID.matcher(nodeId).matches()) {
            throw TiyiException.invalid("node id '" + nodeId + "' cannot name a backup stream generation (letters, digits, '.', '_', '-')");
        }
        if (snapshotEvery.isNegative() || snapshotEvery.isZero()) {
            throw TiyiException.invalid("backup stream snapshot interval must be positive, got " + snapshotEvery);
        }
        if (retention.compareTo(snapshotEvery) <= 0) {
            // Otherwise every snapshot would be outside the window before the next one is taken.
            throw TiyiException.invalid("backup.stream.retention (" + retention + ") must be longer than the snapshot interval ("
                    + snapshotEvery + ")");
        }
        this.blobs = new Blobs(store);
        this.thread = new Thread(this::run, "tiyi-backup-stream");
        this.thread.setDaemon(true);
        this.errors = metrics.counter(ERRORS);
        this.lagGauge = () -> Math.max(0, pipeline.lastSeq() - lastShipped);
        this.lastSnapshotGauge = () -> lastSnapshotMs;
        // A stream started again on the same registry (after a promotion) replaces the old gauges.
        metrics.remove(LAG);
        metrics.remove(LAST_SNAPSHOT_MS);
        metrics.register(LAG, lagGauge);
        metrics.register(LAST_SNAPSHOT_MS, lastSnapshotGauge);
    }

    /**
     * Starts streaming in the background: a new generation with a snapshot, then the log.
     *
     * @throws TiyiException when the node is not the read-write primary {@code nodeId} at {@code epoch}
     */
    public BackupStream start() {
        ClusterState cs = ClusterStates.read(store).orElseThrow(() -> TiyiException.failedPrecondition(
                "state.db has no cluster_state; initialise the node before streaming its backup"));
        if (cs.role() != Role.PRIMARY || cs.readOnly() || cs.epoch() != epoch || !cs.nodeId().equals(nodeId)) {
            throw TiyiException.failedPrecondition("a backup stream runs on the read-write primary: this node is " + cs.nodeId() + ", "
                    + cs.role().wireName() + (cs.readOnly() ? " (read-only)" : "") + " at epoch " + cs.epoch() + ", not the primary "
                    + nodeId + " at epoch " + epoch);
        }
        synchronized (this) {
            if (running || stop.getCount() == 0) {
                throw TiyiException.failedPrecondition("this backup stream was started already");
            }
            running = true;
        }
        pipeline.onCommit(c -> wake.release());
        thread.start();
        return this;
    }

    /** The generation being written, or empty before the first one started (for tests and status). */
    Optional<Generation> generation() {
        GenerationWriter g = generation;
        return g == null ? Optional.empty() : Optional.of(g.generation());
    }

    private void run() {
        Backoff backoff = Backoff.exponential(Duration.ofMillis(IDLE_WAKE_MS), Duration.ofMillis(MAX_BACKOFF_MS));
        while (running) {
            long wait = 0;
            try {
                round();
                if (!lastWarning.isEmpty()) {
                    LOG.info("backup stream: writing to {} again, shipped up to seq {}", streamDir, lastShipped);
                    lastWarning = "";
                }
                backoff.succeeded();
            } catch (IOException | RuntimeException e) {
                wait = backoff.failed();
                failed(e, wait);
            }
            if (!pause(wait)) {
                break;
            }
        }
        finish();
    }

    /** Waits for a commit or the idle tick, or after a failure for the whole backoff; false once closing. */
    private boolean pause(long backoff) {
        try {
            if (backoff > 0) {
                return !stop.await(backoff, TimeUnit.MILLISECONDS);
            }
            wake.tryAcquire(IDLE_WAKE_MS, TimeUnit.MILLISECONDS);
            wake.drainPermits();
            return running;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private void round() throws IOException {
        ClusterState cs = ClusterStates.read(store).orElseThrow();
        boolean writable = cs.role() == Role.PRIMARY && !cs.readOnly() && cs.nodeId().equals(nodeId);
        if (generation != null && !generation.intact()) {
            LOG.warn("backup stream: generation {} is gone from {}; starting a new one (restores from before now need the copy that has it)",
                    generation.generation().name(), streamDir);
            generation = null;
        }
        if (generation != null) {
            ship();
        }
        if (!writable) {
            if (!paused) {
                LOG.info("backup stream: this node is {}{} at epoch {}, not the read-write primary; nothing more is streamed until it is",
                        cs.role().wireName(), cs.readOnly() ? " (read-only)" : "", cs.epoch());
                paused = true;
            }
            return;
        }
        paused = false;
        if (generation != null && cs.epoch() != generation.generation().epoch()) {
            LOG.info("backup stream: this node is the primary at epoch {} now; generation {} ends and a new one starts", cs.epoch(),
                    generation.generation().name());
            generation = null;
        }
        if (generation == null) {
            startGeneration(cs.epoch());
            Retention.prune(streamDir, generation.generation(), System.currentTimeMillis() - retention.toMillis());
            ship();
        }
        long now = System.currentTimeMillis();
        if (generation != null && now >= nextSnapshotAt) {
            snapshot(now);
            Retention.prune(streamDir, generation.generation(), now - retention.toMillis());
        }
    }

    private void startGeneration(long atEpoch) throws IOException {
        long now = System.currentTimeMillis();
        GenerationWriter g = GenerationWriter.create(streamDir, nodeId, atEpoch, now);
        try {
            GenerationWriter.Taken snap = g.snapshot(store.dbFile());
            g.writeInfo(snap.seq() + 1);
            generation = g;
            anchor = snap.last();
            lastShipped = snap.seq();
            compactedUpTo = snap.seq();
            lastSnapshotMs = now;
            nextSnapshotAt = now + snapshotEvery.toMillis();
            LOG.info("backup stream: generation {} started in {} with a snapshot at seq {}", g.generation().name(), streamDir, snap.seq());
        } catch (IOException | RuntimeException e) {
            g.discard();
            throw e;
        }
    }

    private void snapshot(long now) throws IOException {
        generation.snapshot(store.dbFile());
        lastSnapshotMs = now;
        nextSnapshotAt = now + snapshotEvery.toMillis();
        compactedUpTo = Compaction.run(generation.generation(), compactedUpTo, Compaction.MAX_ENTRIES);
    }

    /**
     * Ships every entry after the last shipped one, up to the generation's epoch, in segments of
     * at most {@link #BATCH}. Ends the generation when the log no longer continues it.
     */
    private void ship() throws IOException {
        long genEpoch = generation.generation().epoch();
        while (true) {
            long after = lastShipped;
            List<LogEntry> got = pipeline.entriesAfter(Math.max(0, after - 1), BATCH + 1);
            List<LogEntry> next;
            if (after > 0) {
                if (got.isEmpty() || !Optional.of(got.get(0)).equals(anchor)) {
                    discontinued("state.db no longer holds seq " + after + " as it was shipped (it was replaced or restored)");
                    return;
                }
                next = got.subList(1, got.size());
            } else {
                next = got.size() > BATCH ? got.subList(0, BATCH) : got;
            }
            if (!next.isEmpty() && next.get(0).seq() != after + 1) {
                discontinued("the log goes on at seq " + next.get(0).seq() + " after seq " + after);
                return;
            }
            int n = 0;
            while (n < next.size() && next.get(n).epoch() <= genEpoch) {
                n++;
            }
            if (n == 0) {
                return;
            }
            List<LogEntry> ship = next.subList(0, n);
            generation.writeSegment(ship, blobs);
            LogEntry last = ship.get(n - 1);
            anchor = Optional.of(last);
            lastShipped = last.seq();
            if (n < BATCH) {
                return;
            }
        }
    }

    private void discontinued(String why) {
        LOG.warn("backup stream: {}; generation {} ends and a new one starts with a snapshot", why, generation.generation().name());
        generation = null;
    }

    /** On close: ships what was committed meanwhile, so a clean shutdown leaves nothing behind. */
    private void finish() {
        if (generation == null) {
            return;
        }
        try {
            ship();
        } catch (IOException | RuntimeException e) {
            errors.inc();
            LOG.warn("backup stream: stopped with seq {} to {} not shipped: {}", lastShipped + 1, pipeline.lastSeq(), describe(e));
        }
    }

    private void failed(Exception e, long backoffMs) {
        errors.inc();
        String what = describe(e);
        long now = System.currentTimeMillis();
        if (!what.equals(lastWarning) || now - lastWarningAt >= REPEAT_WARNING_MS) {
            LOG.warn("backup stream: {} (retrying in {} s)", what, backoffMs / 1000);
            lastWarning = what;
            lastWarningAt = now;
        }
    }

    /** One line naming the problem and what to do about it. */
    private String describe(Exception e) {
        if (e instanceof NoSuchFileException nf && streamDir.toString().equals(nf.getFile())) {
            return "backup.stream.dir " + streamDir + " does not exist; create it or mount the backup volume there";
        }
        if (e instanceof AccessDeniedException ad) {
            return "cannot write " + ad.getFile() + ": permission denied; make " + streamDir + " writable by the user Tiyi runs as";
        }
        if (e instanceof FileSystemException fs && String.valueOf(fs.getReason()).contains("No space left")) {
            return "no space left for " + streamDir + "; free space on its file system or shorten backup.stream.retention";
        }
        if (e instanceof IOException io) {
            return "cannot write to " + streamDir + ": " + io + "; check that it is mounted and writable";
        }
        if (e instanceof TiyiException) {
            return e.getMessage();
        }
        return "failed: " + e;
    }

    /** Stops streaming after shipping what is committed; waits up to 30 s for a snapshot under way. */
    @Override
    public void close() {
        running = false;
        stop.countDown();
        wake.release();
        if (thread.isAlive()) {
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("backup stream: still busy after 30 s at shutdown; interrupted with seq {} to {} not shipped", lastShipped + 1,
                        pipeline.lastSeq());
                thread.interrupt();
            }
        }
        metrics.removeMatching((name, m) -> m == lagGauge || m == lastSnapshotGauge);
    }
}
