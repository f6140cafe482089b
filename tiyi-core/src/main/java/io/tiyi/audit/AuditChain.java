package io.tiyi.audit;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;

import io.tiyi.internal.Json;
import io.tiyi.store.AuditAppender;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.AuditLogRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Record2;

/**
 * The tamper-evident audit log. Each entry's {@code hash} is SHA-256 over a canonical,
 * length-prefixed encoding of its fields followed by the previous entry's hash, so editing,
 * deleting or reordering any stored entry breaks every hash after it; {@link #verify} finds the
 * first entry that no longer fits.
 */
public final class AuditChain implements AuditAppender {
    /** The {@code prev_hash} of the first entry. */
    public static final String GENESIS = "0".repeat(64);

    @Override
    public void append(DSLContext tx, long ts, String actor, AuditRecord record, Long mutationSeq) {
        Record2<Long, String> last = tx.select(AUDIT_LOG.ID, AUDIT_LOG.HASH).from(AUDIT_LOG)
                .orderBy(AUDIT_LOG.ID.desc()).limit(1).fetchOne();
        long id = last == null ? 1 : last.value1() + 1;
        String prev = last == null ? GENESIS : last.value2();
        String details = Json.write(record.details());
        String hash = hash(id, ts, actor, record.action(), record.target(), details, mutationSeq, prev);
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

    static String hash(long id, long ts, String actor, String action, String target, String details, Long seq, String prev) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            field(md, "tiyi-audit-v1");
            field(md, Long.toString(id));
            field(md, Long.toString(ts));
            field(md, actor);
            field(md, action);
            field(md, target);
            field(md, details);
            field(md, seq == null ? "" : seq.toString());
            field(md, prev);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void field(MessageDigest md, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        md.update((b.length + ":").getBytes(StandardCharsets.US_ASCII));
        md.update(b);
        md.update((byte) '\n');
    }

    /**
     * The result of recomputing the chain.
     *
     * @param ok true when every entry fits
     * @param entries how many entries were checked
     * @param headHash the hash of the last entry that fits
     * @param firstBadId the id of the first entry that does not fit, or 0
     * @param problem what is wrong with it, or empty
     */
    public record Verification(boolean ok, long entries, String headHash, long firstBadId, String problem) {}

    /** Recomputes the whole chain from state.db. */
    public static Verification verify(StateStore store) {
        return store.read(db -> {
            List<AuditLogRecord> rows = db.selectFrom(AUDIT_LOG).orderBy(AUDIT_LOG.ID).fetch();
            String prev = GENESIS;
            long expectedId = 1;
            long count = 0;
            for (AuditLogRecord r : rows) {
                if (r.getId() != expectedId) {
                    return new Verification(false, count, prev, expectedId,
                            "entry " + expectedId + " is missing (next stored entry is " + r.getId() + ")");
                }
                if (!prev.equals(r.getPrevHash())) {
                    return new Verification(false, count, prev, r.getId(),
                            "entry " + r.getId() + " does not link to entry " + (r.getId() - 1) + " (prev_hash differs)");
                }
                String h = hash(r.getId(), r.getTs(), r.getActor(), r.getAction(), r.getTarget(), r.getDetails(),
                        r.getMutationSeq(), r.getPrevHash());
                if (!h.equals(r.getHash())) {
                    return new Verification(false, count, prev, r.getId(),
                            "entry " + r.getId() + " was altered: its contents do not match its hash");
                }
                prev = h;
                expectedId++;
                count++;
            }
            return new Verification(true, count, prev, 0, "");
        });
    }
}
