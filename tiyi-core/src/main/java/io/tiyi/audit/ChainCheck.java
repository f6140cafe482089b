package io.tiyi.audit;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;
import static io.tiyi.store.generated.Tables.MUTATION_LOG;

import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.AuditLogRecord;
import java.util.Iterator;
import java.util.List;
import org.jooq.Record3;

/**
 * The two checks of a stored chain, each naming the first entry that fails: its hashes and links,
 * and its agreement with {@code mutation_log}. Every committed mutation appends exactly one audit
 * entry in its own transaction (audit-only events are mutations too), so the two logs must match
 * one for one; deleting the newest audit entries alone leaves a chain that links perfectly but
 * lacks entries that {@code mutation_log} still has.
 */
final class ChainCheck {
    private ChainCheck() {}

    /**
     * @param ok true when nothing is wrong
     * @param entries entries that fit before the first that does not
     * @param headHash the hash of the last of them
     * @param firstBadId the first entry that does not fit, or 0
     * @param problem what is wrong with it, or empty
     * @param mutations {@code mutation_log} entries compared (0 for the hash check)
     */
    record Result(boolean ok, long entries, String headHash, long firstBadId, String problem, long mutations) {
        static Result bad(long entries, String head, long id, String problem, long mutations) {
            return new Result(false, entries, head, id, problem, mutations);
        }
    }

    /**
     * Recomputes every hash with {@code hasher} and checks every link; with a null hasher (no KEK
     * at hand for a keyed chain) only the ids and links are checked.
     */
    static Result hashes(StateStore store, AuditChain.Hasher hasher) {
        return store.read(db -> {
            List<AuditLogRecord> rows = db.selectFrom(AUDIT_LOG).orderBy(AUDIT_LOG.ID).fetch();
            String prev = AuditChain.GENESIS;
            long expectedId = 1;
            for (AuditLogRecord r : rows) {
                long good = expectedId - 1;
                if (r.getId() != expectedId) {
                    return Result.bad(good, prev, expectedId, "entry " + expectedId + " is missing (next stored entry is " + r.getId() + ")", 0);
                }
                if (!prev.equals(r.getPrevHash())) {
                    return Result.bad(good, prev, r.getId(), "entry " + r.getId() + " does not link to entry " + (r.getId() - 1)
                            + " (prev_hash differs)", 0);
                }
                if (hasher != null && !hasher.hash(r.getId(), r.getTs(), r.getActor(), r.getAction(), r.getTarget(), r.getDetails(),
                        r.getMutationSeq(), r.getPrevHash()).equals(r.getHash())) {
                    return Result.bad(good, prev, r.getId(), "entry " + r.getId() + " was altered: its contents do not match its hash", 0);
                }
                prev = r.getHash();
                expectedId++;
            }
            return new Result(true, expectedId - 1, prev, 0, "", 0);
        });
    }

    /**
     * Walks the chain and {@code mutation_log} side by side: entry by entry, each must name the
     * next mutation's seq, with the mutation's time and actor; no mutation may be left without one.
     */
    static Result againstMutationLog(StateStore store) {
        return store.read(db -> {
            List<Record3<Long, Long, String>> mutations = db.select(MUTATION_LOG.SEQ, MUTATION_LOG.TS, MUTATION_LOG.ACTOR).from(MUTATION_LOG)
                    .orderBy(MUTATION_LOG.SEQ).fetch();
            long total = mutations.size();
            Iterator<Record3<Long, Long, String>> m = mutations.iterator();
            String prev = AuditChain.GENESIS;
            long good = 0;
            long lastId = 0;
            for (AuditLogRecord a : db.selectFrom(AUDIT_LOG).orderBy(AUDIT_LOG.ID).fetch()) {
                long id = a.getId();
                Long seq = a.getMutationSeq();
                if (seq == null) {
                    return Result.bad(good, prev, id, "entry " + id + " names no mutation: every entry is written with the mutation_log"
                            + " entry it records", total);
                }
                if (!m.hasNext()) {
                    return Result.bad(good, prev, id, "entry " + id + " names mutation seq " + seq + ", which is not in mutation_log", total);
                }
                Record3<Long, Long, String> mu = m.next();
                if (seq > mu.value1()) {
                    return Result.bad(good, prev, id, "mutation seq " + mu.value1() + " has no audit entry: entry " + id + " names seq " + seq
                            + " (entries were deleted)", total);
                }
                if (seq < mu.value1()) {
                    return Result.bad(good, prev, id, "entry " + id + " names mutation seq " + seq + ", which is not in mutation_log or"
                            + " has another entry already", total);
                }
                Long ts = a.getTs();
                String actor = a.getActor();
                if (!mu.value2().equals(ts) || !mu.value3().equals(actor)) {
                    return Result.bad(good, prev, id, "entry " + id + " does not match mutation seq " + seq + ": the entry says "
                            + actor + " at " + ts + ", mutation_log says " + mu.value3() + " at " + mu.value2(), total);
                }
                prev = a.getHash();
                good++;
                lastId = id;
            }
            if (m.hasNext()) {
                long seq = m.next().value1();
                return Result.bad(good, prev, lastId + 1, "entry " + (lastId + 1) + " is missing: mutation seq " + seq
                        + " has no audit entry (the newest entries were deleted)", total);
            }
            return new Result(true, good, prev, 0, "", total);
        });
    }
}
