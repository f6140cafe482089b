package io.tiyi.cluster;

import io.tiyi.internal.LongPolls;
import io.tiyi.store.LogEntry;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a node serves to secondaries: consistent snapshots of state.db by range ({@link SnapshotFiles}),
 * and its {@code mutation_log} by long poll (answered at the next commit, or empty when the poll
 * times out), noting how far each secondary got ({@link Followers}).
 */
final class ReplicationSource implements AutoCloseable {
    private final StateStore store;
    private final MutationPipeline pipeline;
    private final LongPolls polls = new LongPolls("tiyi-replication-poll");

    private final SnapshotFiles snapshots;
    private final Followers followers = new Followers(System::currentTimeMillis);

    public ReplicationSource(StateStore store, MutationPipeline pipeline) {
        this.store = store;
        this.pipeline = pipeline;
        this.snapshots = new SnapshotFiles(store, System::currentTimeMillis);
        pipeline.onCommit(c -> polls.wake());
    }

    /** Entries after {@code afterSeq}: at once when there are some, else at the next commit or after {@code timeout} (empty). */
    public CompletableFuture<List<LogEntry>> pull(long afterSeq, int limit, Duration timeout) {
        return polls.poll(() -> pipeline.lastSeq() > afterSeq, () -> pipeline.entriesAfter(afterSeq, limit), List.of(), timeout);
    }

    /** A consistent copy of state.db in a file, read by range with {@link #snapshotRange}. */
    SnapshotFiles.Snapshot snapshot() {
        return snapshots.take();
    }

    /** A range of the snapshot {@code id}. */
    byte[] snapshotRange(String id, long offset, int length) {
        return snapshots.read(id, offset, length);
    }

    /** Deletes snapshot files nobody read for a while. */
    void expireSnapshots() {
        snapshots.expire();
    }

    /** Who follows this node's log, and how far each got. */
    Followers followers() {
        return followers;
    }

    @Override
    public void close() {
        polls.close();
        snapshots.close();
    }
}
