package io.tiyi.api;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;

import io.tiyi.TiyiException;
import io.tiyi.audit.AuditChain;
import io.tiyi.store.StateStore;
import java.util.List;

/** {@code tiyi.v1.AuditService}: read and verify the audit chain. */
final class AuditRpc {
    static final String SERVICE = "AuditService";

    record ListRequest(Integer limit, Long beforeId) {}

    record Entry(long id, long ts, String actor, String action, String target, String details, Long mutationSeq, String prevHash,
            String hash) {}

    record EntryList(List<Entry> entries) {}

    private AuditRpc() {}

    static void register(RpcRegistry r, StateStore store) {
        r.query(SERVICE, "List", Access.ADMIN, ListRequest.class, (ctx, q) -> {
            int limit = q.limit() == null ? 50 : q.limit();
            if (limit < 1 || limit > 1000) {
                throw TiyiException.invalid("field 'limit' must be from 1 to 1000, got " + limit);
            }
            long before = q.beforeId() == null ? Long.MAX_VALUE : q.beforeId();
            List<Entry> rows = store.read(db -> db.selectFrom(AUDIT_LOG).where(AUDIT_LOG.ID.lt(before)).orderBy(AUDIT_LOG.ID.desc())
                    .limit(limit).fetch(x -> new Entry(x.getId(), x.getTs(), x.getActor(), x.getAction(), x.getTarget(), x.getDetails(),
                            x.getMutationSeq(), x.getPrevHash(), x.getHash())));
            return new EntryList(rows);
        });
        r.query(SERVICE, "VerifyChain", Access.VIEWER, Empty.class, (ctx, q) -> AuditChain.verify(store));
    }
}
