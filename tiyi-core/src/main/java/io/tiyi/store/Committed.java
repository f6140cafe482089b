package io.tiyi.store;

/**
 * A mutation that has been committed.
 *
 * @param seq its place in mutation_log
 * @param epoch the epoch it was accepted under
 * @param ts commit time in milliseconds
 * @param kind the mutation kind
 * @param result what the mutation returned
 * @param actor who made it
 * @param audit the audit entry it appended, on the node that accepted it; null for entries
 *     replayed from another node's log (that node reported them already)
 * @param <R> the result type
 */
public record Committed<R>(long seq, long epoch, long ts, String kind, R result, String actor, AuditRecord audit) {}
