package io.tiyi.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.ReplicationService;
import io.tiyi.internal.Backoff;
import io.tiyi.internal.Json;
import io.tiyi.store.Blobs;
import io.tiyi.store.LogEntry;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.MutationTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A secondary's follower of the primary's {@code mutation_log}: long poll, replay the entries
 * (the same typed mutations, see {@link MutationPipeline#replay}), repeat; backs off with jitter
 * while the primary cannot be reached. Knows the primary's last seq from every answer, for the
 * replication lag.
 */
final class Replicator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

    private final MutationPipeline pipeline;
    private final Supplier<String> primaryApi;
    private final Function<String, TiyiClient> client;
    private final Blobs blobs;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean held;
    private volatile long primaryLastSeq = -1;
    private final Path partDir;
    private final long stallAfterMs;
    /** When the secondary last replayed or was caught up (or started); the stall is measured from here. */
    private volatile long progressAt = System.currentTimeMillis();
    /** When the current run of failures began, 0 while replication works. */
    private volatile long failingSince;
    private volatile String lastError;
    private volatile String stalled;

    /**
     * @param primaryApi the primary to follow, asked before every poll
     * @param client a client of a URL with this node's credential
     * @param blobs where blobs the entries name are kept, fetched from the primary before replay
     * @param partDir where blobs being fetched are kept until they are complete (the state directory)
     * @param stallAfter how long without progress, while behind or failing, counts as stalled
     */
    public Replicator(MutationPipeline pipeline, Supplier<String> primaryApi, Function<String, TiyiClient> client, Blobs blobs, Path partDir,
            Duration stallAfter) {
        this.pipeline = pipeline;
        this.partDir = partDir;
        this.stallAfterMs = stallAfter.toMillis();
        this.blobs = blobs;
        this.primaryApi = primaryApi;
        this.client = client;
        this.thread = new Thread(this::run, "tiyi-replicator");
        this.thread.setDaemon(true);
    }

    public Replicator start() {
        thread.start();
        return this;
    }

    /** The primary's last seq as of its last answer (a Pull, or a Status after a failure); -1 before the first. */
    public long primaryLastSeq() {
        return primaryLastSeq;
    }

    /** Why replication is stalled (behind with no progress, or failing, for the stall time), or null when it is not. */
    public String stalled() {
        return stalled;
    }

    /** For failover drills: a held replicator stops polling, and applies nothing, until released. */
    public void hold(boolean on) {
        held = on;
    }

    private void run() {
        Backoff backoff = Backoff.jittered(Duration.ofMillis(250), Duration.ofSeconds(5));
        boolean announced = false;
        while (running) {
            if (held) {
                if (!pause(20)) {
                    return;
                }
                continue;
            }
            String from = primaryApi.get();
            try {
                // The first poll answers at once, so that the lag is known as soon as the secondary runs, not after a long-poll.
                JsonNode r = client.apply(from).call(ReplicationService.PULL, new ReplicationService.PullRequest(pipeline.lastSeq(),
                        primaryLastSeq < 0 ? 0L : 20_000L, 500));
                List<LogEntry> entries = new ArrayList<>();
                for (JsonNode e : r.get("entries")) {
                    entries.add(Json.MAPPER.treeToValue(e, LogEntry.class));
                }
                if (!running) {
                    return;
                }
                if (held) {
                    // A poll that was under way when the hold began: its entries wait for the release.
                    continue;
                }
                if (!entries.isEmpty()) {
                    fetchBlobs(from, entries);
                    pipeline.replay(entries, e -> MutationTypes.decode(e.kind(), e.payload()));
                }
                primaryLastSeq = r.get("last_seq").asLong();
                if (!entries.isEmpty() || pipeline.lastSeq() >= primaryLastSeq) {
                    progressAt = System.currentTimeMillis();
                }
                failingSince = 0;
                lastError = null;
                checkStall(from);
                if (announced) {
                    LOG.info("cluster: replicating from {} again at seq {}", from, pipeline.lastSeq());
                    announced = false;
                }
                backoff.succeeded();
            } catch (RuntimeException | IOException e) {
                if (!running) {
                    return;
                }
                if (!announced) {
                    LOG.warn("cluster: cannot replicate from {} ({}); holding seq {}, retrying with backoff", from, e.getMessage(),
                            pipeline.lastSeq());
                    announced = true;
                }
                lastError = e.getMessage();
                if (failingSince == 0) {
                    failingSince = System.currentTimeMillis();
                }
                learnPrimarySeq(from);
                checkStall(from);
                if (!pause(backoff.failed())) {
                    return;
                }
            }
        }
    }

    /** Stores the blobs the entries name before they are replayed: a mutation's apply expects its blobs in place. */
    private void fetchBlobs(String from, List<LogEntry> entries) throws IOException {
        for (LogEntry e : entries) {
            for (String sha : MutationTypes.decode(e.kind(), e.payload()).blobs()) {
                if (blobs.has(sha)) {
                    continue;
                }
                Path part = partDir.resolve(".blob-" + sha + ".part");
                TiyiClient c = client.apply(from);
                long fetched = RangeDownload.complete(part, -1, sha, (offset, length) -> c.bytes(ReplicationService.BLOB,
                        new ReplicationService.BlobRequest(sha, offset, length)));
                blobs.put(sha, part);
                Files.deleteIfExists(part);
                LOG.info("cluster: fetched blob {} ({} bytes this time) for seq {}", sha.substring(0, 12), fetched, e.seq());
            }
        }
    }

    /**
     * After a failed poll or replay: asks the primary's Status for its last seq, so that the lag
     * stays a real number while replay fails (a primary that cannot be reached leaves the last known).
     */
    private void learnPrimarySeq(String from) {
        try {
            JsonNode st = client.apply(from).call(ReplicationService.STATUS, io.tiyi.client.rpc.Empty.INSTANCE);
            if (st.hasNonNull("last_seq")) {
                primaryLastSeq = st.get("last_seq").asLong();
            }
        } catch (RuntimeException unreachable) {
            // The lag stays as last known; the stall check below says the primary cannot be reached.
        }
    }

    /** Sets or clears the stall, with one log line when it begins and one when it ends. */
    private void checkStall(String from) {
        long now = System.currentTimeMillis();
        long seq = pipeline.lastSeq();
        long primary = primaryLastSeq;
        String why = null;
        if (failingSince != 0 && now - failingSince >= stallAfterMs) {
            why = "replication from " + from + " has failed for " + (now - failingSince) / 1000 + " s at seq " + seq
                    + (primary >= 0 ? " (" + Math.max(0, primary - seq) + " behind)" : "") + ": " + lastError;
        } else if (primary > seq && now - progressAt >= stallAfterMs) {
            why = "replication from " + from + " is " + (primary - seq) + " behind at seq " + seq + " with nothing replayed for "
                    + (now - progressAt) / 1000 + " s";
        }
        String was = stalled;
        stalled = why;
        if (why != null && was == null) {
            LOG.warn("cluster: replication stalled: {}; check that the primary is reachable and its log, then this node's log; if it does not"
                    + " recover, re-seed this secondary (docs/ha.md)", why);
        } else if (why == null && was != null) {
            LOG.info("cluster: replication recovered at seq {} ({} behind the primary)", seq, Math.max(0, primary - seq));
        }
    }

    private static boolean pause(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops following; a poll under way is abandoned. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
