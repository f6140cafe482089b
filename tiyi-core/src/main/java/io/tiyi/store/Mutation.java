package io.tiyi.store;

/**
 * One typed change to replicated state. A mutation is a record whose fields carry everything its
 * effect depends on (ids, hashes, sealed blobs, chosen values), so that applying the logged
 * payload again on a replica yields the same state. It is serialised as JSON into
 * {@code mutation_log.payload} under its {@link #kind()}; it must never carry a secret in clear.
 *
 * @param <R> what {@link #apply} returns to the submitter
 */
public interface Mutation<R> {
    /** Stable name in {@code mutation_log.kind}, for example {@code users.create}. */
    String kind();

    /**
     * Applies the change inside the pipeline's transaction. Throw a {@link io.tiyi.TiyiException}
     * to refuse it: the transaction rolls back and nothing is logged.
     */
    R apply(MutationContext ctx);

    /** The audit entry this change appends (never a secret). */
    AuditRecord audit();

    /**
     * SHA-256 hashes of the {@link Blobs} this change refers to: they must be stored before it
     * is applied, on the primary and on every replica.
     */
    default java.util.List<String> blobs() {
        return java.util.List.of();
    }
}
