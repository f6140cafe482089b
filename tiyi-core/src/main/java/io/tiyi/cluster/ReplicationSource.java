package io.tiyi.cluster;

import io.tiyi.TiyiException;
import io.tiyi.internal.LongPolls;
import io.tiyi.store.LogEntry;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a node serves to secondaries: a consistent snapshot of state.db, and its
 * {@code mutation_log} by long poll (answered at the next commit, or empty when the poll times out).
 */
final class ReplicationSource implements AutoCloseable {
    private final StateStore store;
    private final MutationPipeline pipeline;
    private final LongPolls polls = new LongPolls("tiyi-replication-poll");

    /**
     * A consistent copy of state.db.
     *
     * @param db the database file's bytes
     * @param seq the last mutation seq it holds
     */
    public record Snapshot(byte[] db, long seq) {}

    public ReplicationSource(StateStore store, MutationPipeline pipeline) {
        this.store = store;
        this.pipeline = pipeline;
        pipeline.onCommit(c -> polls.wake());
    }

    /** Entries after {@code afterSeq}: at once when there are some, else at the next commit or after {@code timeout} (empty). */
    public CompletableFuture<List<LogEntry>> pull(long afterSeq, int limit, Duration timeout) {
        return polls.poll(() -> pipeline.lastSeq() > afterSeq, () -> pipeline.entriesAfter(afterSeq, limit), List.of(), timeout);
    }

    /** Copies state.db with {@code VACUUM INTO}: one read transaction, so the copy is consistent while mutations go on. */
    public Snapshot snapshot() {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(store.dir(), ".snapshot-", ".db");
            Files.delete(tmp);
            io.tiyi.store.Snapshots.vacuumInto(store.dbFile(), tmp);
            long seq = io.tiyi.store.Snapshots.lastEntry(tmp).map(io.tiyi.store.LogEntry::seq).orElse(0L);
            return new Snapshot(Files.readAllBytes(tmp), seq);
        } catch (IOException | SQLException e) {
            throw new TiyiException("cannot take a snapshot of " + store.dbFile() + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file in the state directory; the next snapshot uses another name
                }
            }
        }
    }

    @Override
    public void close() {
        polls.close();
    }
}
