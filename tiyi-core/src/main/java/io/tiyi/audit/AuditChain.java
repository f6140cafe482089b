package io.tiyi.audit;

import static io.tiyi.store.generated.Tables.AUDIT_CHAIN;
import static io.tiyi.store.generated.Tables.AUDIT_LOG;

import io.tiyi.crypto.HmacSha256;
import io.tiyi.crypto.Kek;
import io.tiyi.crypto.Sha256;
import io.tiyi.internal.Json;
import io.tiyi.store.AuditAppender;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.AuditLogRecord;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tamper-evident audit log. Each entry's {@code hash} covers a canonical, length-prefixed
 * encoding of its fields followed by the previous entry's hash, so editing, deleting or reordering
 * a stored entry breaks every hash after it; {@link #verify} finds the first entry that no longer
 * fits.
 *
 * <p>Version 2 (the current one) computes the hash as HMAC-SHA256 under a key derived from the
 * KEK ({@value #KEY_LABEL}), so that whoever can write state.db but does not hold the KEK cannot
 * rewrite an entry and recompute the hashes after it. Version 1 was plain SHA-256. Every node that
 * appends (a primary, and a secondary replaying the primary's log) holds the same KEK, so all
 * chains stay identical. A version 1 chain is re-keyed when a node opens it, but only after it
 * verifies as version 1: a chain that was already tampered with is never made to look intact.
 *
 * <p>Deleting the newest entries leaves a shorter chain that is still intact. That is caught by
 * the comparison with {@code mutation_log} ({@link ChainCheck}) and, when both were cut, by the
 * signed checkpoints agents hold ({@link Checkpoints}, {@link Witness}).
 */
public final class AuditChain implements AuditAppender {
    /** The {@code prev_hash} of the first entry. */
    public static final String GENESIS = "0".repeat(64);
    /** The chain version this build writes. */
    public static final int KEYED = 2;
    static final int UNKEYED = 1;
    static final String KEY_LABEL = "tiyi-audit-chain-v2";

    private static final Logger LOG = LoggerFactory.getLogger(AuditChain.class);

    private final Hasher hasher;

    private AuditChain(Hasher hasher) {
        this.hasher = hasher;
    }

    /**
     * The chain of a node about to take or replay mutations. A version 1 chain is verified and then
     * re-keyed in one transaction (logged once); one that does not verify is left as it is, logged
     * as an ERROR at every start, and extended unkeyed so that nothing is lost.
     */
    public static AuditChain open(StateStore store, Kek kek) {
        Hasher keyed = Hasher.keyed(kek);
        int version = version(store);
        if (version == KEYED) {
            return new AuditChain(keyed);
        }
        ChainCheck.Result v1 = ChainCheck.hashes(store, Hasher.UNKEYED);
        if (!v1.ok()) {
            LOG.error("audit: the unkeyed audit chain in {} does not verify ({}); it is kept unchanged and unkeyed so the evidence"
                    + " stays, and tiyi audit verify-chain reports it: restore state.db from a backup taken before entry {} was altered",
                    store.dbFile(), v1.problem(), v1.firstBadId());
            return new AuditChain(Hasher.UNKEYED);
        }
        long n = store.writeLocal(db -> rekey(db, keyed));
        if (n == 0) {
            // A new state.db: its chain starts keyed, nothing to tell.
            return new AuditChain(keyed);
        }
        LOG.info("audit: re-keyed the audit chain ({} entries verified first) under the KEK; rewriting it now needs the KEK", n);
        return new AuditChain(keyed);
    }

    /** The chain version recorded in state.db; 1 for a database from before versions were recorded. */
    static int version(StateStore store) {
        return store.read(db -> db.select(AUDIT_CHAIN.VERSION).from(AUDIT_CHAIN).fetchOptional(AUDIT_CHAIN.VERSION)).orElse(UNKEYED);
    }

    private static long rekey(DSLContext db, Hasher keyed) {
        String prev = GENESIS;
        long n = 0;
        for (AuditLogRecord r : db.selectFrom(AUDIT_LOG).orderBy(AUDIT_LOG.ID).fetch()) {
            String h = keyed.hash(r.getId(), r.getTs(), r.getActor(), r.getAction(), r.getTarget(), r.getDetails(), r.getMutationSeq(), prev);
            db.update(AUDIT_LOG).set(AUDIT_LOG.PREV_HASH, prev).set(AUDIT_LOG.HASH, h).where(AUDIT_LOG.ID.eq(r.getId())).execute();
            prev = h;
            n++;
        }
        db.insertInto(AUDIT_CHAIN).set(AUDIT_CHAIN.ID, 1).set(AUDIT_CHAIN.VERSION, KEYED).set(AUDIT_CHAIN.KEYED_AT, System.currentTimeMillis())
                .onConflict(AUDIT_CHAIN.ID).doUpdate().set(AUDIT_CHAIN.VERSION, KEYED)
                .set(AUDIT_CHAIN.KEYED_AT, System.currentTimeMillis()).execute();
        return n;
    }

    @Override
    public void append(DSLContext tx, long ts, String actor, AuditRecord record, Long mutationSeq) {
        Record2<Long, String> last = tx.select(AUDIT_LOG.ID, AUDIT_LOG.HASH).from(AUDIT_LOG)
                .orderBy(AUDIT_LOG.ID.desc()).limit(1).fetchOne();
        long id = last == null ? 1 : last.value1() + 1;
        String prev = last == null ? GENESIS : last.value2();
        String details = Json.write(record.details());
        String hash = hasher.hash(id, ts, actor, record.action(), record.target(), details, mutationSeq, prev);
        tx.insertInto(AUDIT_LOG)
                .set(AUDIT_LOG.ID, id)
                .set(AUDIT_LOG.TS, ts)
                .set(AUDIT_LOG.ACTOR, actor)
                .set(AUDIT_LOG.ACTION, record.action())
                .set(AUDIT_LOG.TARGET, record.target())
                .set(AUDIT_LOG.DETAILS, details)
                .set(AUDIT_LOG.MUTATION_SEQ, mutationSeq)
                .set(AUDIT_LOG.PREV_HASH, prev)
                .set(AUDIT_LOG.HASH, hash)
                .execute();
    }

    /** Version 1's hash: plain SHA-256, which anyone can recompute. */
    static String hash(long id, long ts, String actor, String action, String target, String details, Long seq, String prev) {
        return Hasher.UNKEYED.hash(id, ts, actor, action, target, details, seq, prev);
    }

    /**
     * The result of checking the chain.
     *
     * @param ok true when every entry fits (and, when checked, the witness agrees)
     * @param entries how many entries fit before the first that does not
     * @param headHash the hash of the last entry that fits
     * @param firstBadId the id of the first entry that does not fit, or 0
     * @param problem what is wrong with it, or empty
     * @param version the chain version in state.db: 2 is keyed under the KEK, 1 is not
     * @param keyed whether the hashes were recomputed under the KEK; false when no KEK was at hand,
     *     and then only the links and the agreement with {@code mutation_log} were checked
     * @param mutations how many {@code mutation_log} entries were compared with the chain
     * @param witness what the checkpoints agents hold say, or null when not asked
     */
    public record Verification(boolean ok, long entries, String headHash, long firstBadId, String problem, int version, boolean keyed,
            long mutations, Witness.Result witness) {
        Verification withWitness(Witness.Result w) {
            if (!ok || w.ok()) {
                return new Verification(ok, entries, headHash, firstBadId, problem, version, keyed, mutations, w);
            }
            return new Verification(false, entries, headHash, w.firstBadId(), w.problem(), version, keyed, mutations, w);
        }
    }

    /**
     * Checks the whole chain in state.db: every hash (under the KEK's chain key for a keyed chain,
     * when {@code kek} is given), every link, and that it holds exactly one entry for each entry of
     * {@code mutation_log}, with the same seq, time and actor.
     */
    public static Verification verify(StateStore store, Optional<Kek> kek) {
        int version = version(store);
        Hasher h = version == KEYED ? kek.map(Hasher::keyed).orElse(null) : Hasher.UNKEYED;
        ChainCheck.Result chain = ChainCheck.hashes(store, h);
        ChainCheck.Result agree = ChainCheck.againstMutationLog(store);
        ChainCheck.Result first = chain.ok() ? (agree.ok() ? chain : agree)
                : agree.ok() || chain.firstBadId() <= agree.firstBadId() ? chain : agree;
        return new Verification(first.ok(), first.entries(), first.headHash(), first.firstBadId(), first.problem(), version, h != null,
                agree.mutations(), null);
    }

    /** {@link #verify(StateStore, Optional)} under {@code kek}. */
    public static Verification verify(StateStore store, Kek kek) {
        return verify(store, Optional.of(kek));
    }

    /**
     * How an entry's hash is computed: HMAC-SHA256 under the chain key for version 2, SHA-256 for
     * version 1, both over the same length-prefixed fields.
     */
    static final class Hasher {
        static final Hasher UNKEYED = new Hasher(null, "tiyi-audit-v1");

        /** The key derived from the KEK, or null for the unkeyed version 1. */
        private final byte[] key;
        private final String label;

        private Hasher(byte[] key, String label) {
            this.key = key;
            this.label = label;
        }

        static Hasher keyed(Kek kek) {
            return new Hasher(kek.derive(KEY_LABEL), "tiyi-audit-v2");
        }

        String hash(long id, long ts, String actor, String action, String target, String details, Long seq, String prev) {
            StringBuilder fields = new StringBuilder();
            for (String f : List.of(label, Long.toString(id), Long.toString(ts), actor, action, target, details,
                    seq == null ? "" : seq.toString(), prev)) {
                fields.append(f.getBytes(StandardCharsets.UTF_8).length).append(':').append(f).append('\n');
            }
            byte[] message = fields.toString().getBytes(StandardCharsets.UTF_8);
            return key == null ? Sha256.hex(message) : HexFormat.of().formatHex(HmacSha256.of(key, message));
        }
    }
}
