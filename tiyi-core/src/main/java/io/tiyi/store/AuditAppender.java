package io.tiyi.store;

import org.jooq.DSLContext;

/** Appends an audit entry inside the transaction of the mutation it describes. */
public interface AuditAppender {
    /**
     * @param mutationSeq the mutation's seq, or null for an audit-only event
     */
    void append(DSLContext tx, long ts, String actor, AuditRecord record, Long mutationSeq);
}
