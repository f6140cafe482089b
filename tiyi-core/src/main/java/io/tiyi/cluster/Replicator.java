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

    /**
     * @param primaryApi the primary to follow, asked before every poll
     * @param client a client of a URL with this node's credential
     * @param blobs where blobs the entries name are kept, fetched from the primary before replay
     */
    public Replicator(MutationPipeline pipeline, Supplier<String> primaryApi, Function<String, TiyiClient> client, Blobs blobs) {
        this.pipeline = pipeline;
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

    /** The primary's last seq as of its last answer; -1 before the first. */
    public long primaryLastSeq() {
        return primaryLastSeq;
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
                ReplicationService.BlobResponse b = client.apply(from).call(ReplicationService.BLOB, new ReplicationService.BlobRequest(sha));
                blobs.put(sha, b.data());
                LOG.info("cluster: fetched blob {} ({} bytes) for seq {}", sha.substring(0, 12), b.size(), e.seq());
            }
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
