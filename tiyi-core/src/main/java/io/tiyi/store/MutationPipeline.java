package io.tiyi.store;

import static io.tiyi.store.generated.Tables.MUTATION_LOG;

import io.tiyi.TiyiException;
import io.tiyi.internal.Json;
import io.tiyi.internal.Watermark;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of replicated state (ARCHITECTURE §4).
 *
 * <p>Every change is a typed {@link Mutation} submitted here. One thread applies them in order;
 * for each it opens a transaction, checks that this node may accept changes (role primary, not
 * read-only, and its epoch still the persisted one — the fencing check), applies the change,
 * appends {@code mutation_log(seq, epoch, ts, actor, kind, payload)} and the audit entry, and
 * commits. The submitter is answered only after the commit; listeners (bundle compiler,
 * replication) are told after it too. {@code seq} is taken only by committed mutations, so it is
 * gap-free and monotonic. A refused or failed mutation changes nothing.
 */
public final class MutationPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MutationPipeline.class);

    private final StateStore store;
    private final AuditAppender audit;
    private final WriteFence fence;
    private final ExecutorService writer;
    private final List<Consumer<Committed<?>>> listeners = new CopyOnWriteArrayList<>();
    /** The last committed seq: set only on the writer thread, read anywhere. */
    private final Watermark committed;

    /**
     * @param audit appends each mutation's audit entry in its transaction
     * @param fence decides in each transaction whether this node takes the change (role, read-only, epoch)
     */
    public MutationPipeline(StateStore store, AuditAppender audit, WriteFence fence) {
        this.store = Objects.requireNonNull(store);
        this.audit = Objects.requireNonNull(audit);
        this.fence = Objects.requireNonNull(fence);
        this.committed = new Watermark(store.read(db -> {
            Long max = db.select(org.jooq.impl.DSL.max(MUTATION_LOG.SEQ)).from(MUTATION_LOG).fetchOne(0, Long.class);
            return max == null ? 0L : max;
        }));
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tiyi-state-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Submits a mutation under this node's current epoch. */
    public <R> CompletableFuture<Committed<R>> submit(String actor, Mutation<R> mutation) {
        return submit(actor, mutation, OptionalLong.empty());
    }

    /**
     * Submits a mutation that is only valid at {@code expectedEpoch} (for example one decided by a
     * caller that read the epoch earlier); refused with {@link MutationRejectedException.Reason#STALE_EPOCH}
     * if the node's epoch is different by then.
     */
    public <R> CompletableFuture<Committed<R>> submit(String actor, Mutation<R> mutation, long expectedEpoch) {
        return submit(actor, mutation, OptionalLong.of(expectedEpoch));
    }

    private <R> CompletableFuture<Committed<R>> submit(String actor, Mutation<R> mutation, OptionalLong expectedEpoch) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(mutation, "mutation");
        try {
            return CompletableFuture.supplyAsync(() -> applyNow(actor, mutation, expectedEpoch), writer);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new TiyiException("the node is shutting down; retry on the primary"));
        }
    }

    /** Submits and waits for the commit; rethrows the mutation's own failure. */
    public <R> Committed<R> apply(String actor, Mutation<R> mutation) {
        return await(submit(actor, mutation));
    }

    /** Appends an audit-only entry (for example a failed login) through the same pipeline. */
    public void recordAudit(String actor, AuditRecord record) {
        apply(actor, new AuditEvent(record.action(), record.target(), record.details()));
    }

    static <R> Committed<R> await(CompletableFuture<Committed<R>> f) {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new TiyiException("mutation failed: " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TiyiException("interrupted while waiting for the state writer");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TiyiException("the state writer did not answer within 60 s; check disk space and state.db locks");
        }
    }

    private <R> Committed<R> applyNow(String actor, Mutation<R> mutation, OptionalLong expectedEpoch) {
        long seq = committed.get() + 1;
        long ts = System.currentTimeMillis();
        Committed<R> done = store.writeTx(db -> {
            long epoch = fence.admit(db, expectedEpoch);
            R result = mutation.apply(new MutationContext(db, seq, epoch, ts, actor));
            db.insertInto(MUTATION_LOG)
                    .set(MUTATION_LOG.SEQ, seq)
                    .set(MUTATION_LOG.EPOCH, epoch)
                    .set(MUTATION_LOG.TS, ts)
                    .set(MUTATION_LOG.ACTOR, actor)
                    .set(MUTATION_LOG.KIND, mutation.kind())
                    .set(MUTATION_LOG.PAYLOAD, Json.write(mutation))
                    .execute();
            AuditRecord entry = mutation.audit();
            audit.append(db, ts, actor, entry, seq);
            return new Committed<>(seq, epoch, ts, mutation.kind(), result, actor, entry);
        });
        committed.set(seq);
        for (Consumer<Committed<?>> l : listeners) {
            try {
                l.accept(done);
            } catch (RuntimeException e) {
                LOG.error("commit listener failed after mutation {} ({}): {}", seq, mutation.kind(), e.toString(), e);
            }
        }
        return done;
    }

    /**
     * Replays entries of the primary's log on this node (a secondary), on the writer thread, in
     * one transaction: the same typed mutations with the same seq, epoch, time and actor, so
     * state, {@code mutation_log} and the audit chain end up identical to the primary's. The
     * applied seq is the log's last seq, written in the same transaction.
     *
     * @return the last applied seq
     * @throws TiyiException when this node is the primary, or the entries do not follow its log
     */
    public long replay(java.util.List<LogEntry> entries, java.util.function.Function<LogEntry, Mutation<?>> decode) {
        if (entries.isEmpty()) {
            return committed.get();
        }
        CompletableFuture<Long> f;
        try {
            f = CompletableFuture.supplyAsync(() -> replayNow(entries, decode), writer);
        } catch (RejectedExecutionException e) {
            throw new TiyiException("the node is shutting down");
        }
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new TiyiException("replay failed: " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TiyiException("interrupted while replaying");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TiyiException("the state writer did not answer within 60 s while replaying");
        }
    }

    private long replayNow(java.util.List<LogEntry> entries, java.util.function.Function<LogEntry, Mutation<?>> decode) {
        long first = committed.get() + 1;
        long last = store.writeTx(db -> {
            fence.admitReplay(db);
            long expected = first;
            for (LogEntry e : entries) {
                if (e.seq() != expected) {
                    throw new TiyiException("replication gap: expected seq " + expected + ", got " + e.seq());
                }
                Mutation<?> m = decode.apply(e);
                m.apply(new MutationContext(db, e.seq(), e.epoch(), e.ts(), e.actor()));
                db.insertInto(MUTATION_LOG).set(MUTATION_LOG.SEQ, e.seq()).set(MUTATION_LOG.EPOCH, e.epoch()).set(MUTATION_LOG.TS, e.ts())
                        .set(MUTATION_LOG.ACTOR, e.actor()).set(MUTATION_LOG.KIND, e.kind()).set(MUTATION_LOG.PAYLOAD, e.payload()).execute();
                audit.append(db, e.ts(), e.actor(), m.audit(), e.seq());
                expected++;
            }
            return expected - 1;
        });
        committed.set(last);
        LogEntry tail = entries.get(entries.size() - 1);
        Committed<Void> done = new Committed<>(tail.seq(), tail.epoch(), tail.ts(), tail.kind(), null, tail.actor(), null);
        for (Consumer<Committed<?>> l : listeners) {
            try {
                l.accept(done);
            } catch (RuntimeException e) {
                LOG.error("commit listener failed after replaying up to {}: {}", last, e.toString(), e);
            }
        }
        return last;
    }

    /** Log entries after {@code afterSeq}, at most {@code limit}, in order. */
    public java.util.List<LogEntry> entriesAfter(long afterSeq, int limit) {
        return store.read(db -> db.selectFrom(MUTATION_LOG).where(MUTATION_LOG.SEQ.gt(afterSeq)).orderBy(MUTATION_LOG.SEQ).limit(limit)
                .fetch(r -> new LogEntry(r.getSeq(), r.getEpoch(), r.getTs(), r.getActor(), r.getKind(), r.getPayload())));
    }

    /**
     * Runs {@code change} on the writer thread, between mutations: a demotion made this way is
     * ordered after every mutation already submitted and before every later one.
     */
    public <T> T onWriter(java.util.function.Supplier<T> change) {
        try {
            return CompletableFuture.supplyAsync(change, writer).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new TiyiException(String.valueOf(c), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TiyiException("interrupted");
        } catch (java.util.concurrent.TimeoutException | RejectedExecutionException e) {
            throw new TiyiException("the state writer did not answer: " + e);
        }
    }

    /** Registers a listener called on the writer thread after each commit; it must not block. */
    public void onCommit(Consumer<Committed<?>> listener) {
        listeners.add(listener);
    }

    /** The last committed seq. */
    public long lastSeq() {
        return committed.get();
    }

    /** Completes once the last committed (or replayed) seq is at least {@code seq}. */
    public CompletableFuture<Long> reached(long seq) {
        return committed.reach(seq);
    }


    /** Stops taking new mutations and waits for the ones under way to commit. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("state writer still busy after 30 s at shutdown; pending mutations were abandoned uncommitted");
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.shutdownNow();
        }
    }
}
