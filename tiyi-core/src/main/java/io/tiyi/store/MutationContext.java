package io.tiyi.store;

import org.jooq.DSLContext;

/**
 * What a mutation sees while it applies: the transaction and the log position it will take.
 *
 * @param db the open write transaction
 * @param seq the mutation_log sequence number this mutation takes
 * @param epoch the epoch it is applied under
 * @param ts commit time, milliseconds since the epoch (use it instead of the clock, so replay is exact)
 * @param actor who asked for it, for example {@code user:admin} or {@code system}
 */
public record MutationContext(DSLContext db, long seq, long epoch, long ts, String actor) {}
