package io.tiyi.store;

/**
 * One row of {@code mutation_log}, as replication ships it.
 *
 * @param seq gap-free position
 * @param epoch the epoch it was committed under
 * @param ts commit time, ms
 * @param actor who made it
 * @param kind the mutation's kind
 * @param payload the mutation as JSON, exactly as logged
 */
public record LogEntry(long seq, long epoch, long ts, String actor, String kind, String payload) {}
