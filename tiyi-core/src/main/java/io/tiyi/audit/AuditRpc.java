package io.tiyi.audit;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;

import io.tiyi.api.Access;
import io.tiyi.api.Paging;
import io.tiyi.api.RpcRegistry;
import io.tiyi.client.rpc.AuditService;
import io.tiyi.client.rpc.AuditService.ListRequest;
import io.tiyi.client.rpc.Empty;
import io.tiyi.store.StateStore;
import java.util.List;
import org.jooq.Condition;

/** {@code tiyi.v1.AuditService}: read and verify the audit chain. */
final class AuditRpc {

    record Entry(long id, long ts, String actor, String action, String target, String details, Long mutationSeq, String prevHash,
            String hash) {}

    /** {@code nextBeforeId} is the {@code before_id} of the next older page, null on the last page. */
    record EntryList(List<Entry> entries, Long nextBeforeId) {}

    private AuditRpc() {}

    private static boolean given(String s) {
        return s != null && !s.isBlank();
    }

    static void register(RpcRegistry r, StateStore store, AuditLog audit) {
        r.query(AuditService.LIST, Access.ADMIN, (ctx, q) -> {
            int limit = Paging.limit(q.limit(), 50, 1000);
            Condition where = AUDIT_LOG.ID.lt(q.beforeId() == null ? Long.MAX_VALUE : q.beforeId());
            if (given(q.actor())) {
                where = where.and(AUDIT_LOG.ACTOR.eq(q.actor().trim()));
            }
            if (given(q.action())) {
                where = where.and(AUDIT_LOG.ACTION.startsWithIgnoreCase(q.action().trim()));
            }
            if (given(q.target())) {
                where = where.and(AUDIT_LOG.TARGET.containsIgnoreCase(q.target().trim()));
            }
            Condition matching = where;
            // One row past the page tells whether an older page exists without a count over the whole log.
            List<Entry> rows = store.read(db -> db.selectFrom(AUDIT_LOG).where(matching).orderBy(AUDIT_LOG.ID.desc()).limit(limit + 1)
                    .fetch(x -> new Entry(x.getId(), x.getTs(), x.getActor(), x.getAction(), x.getTarget(), x.getDetails(),
                            x.getMutationSeq(), x.getPrevHash(), x.getHash())));
            if (rows.size() <= limit) {
                return new EntryList(rows, null);
            }
            List<Entry> page = rows.subList(0, limit);
            return new EntryList(List.copyOf(page), page.get(limit - 1).id());
        });
        r.query(AuditService.VERIFY_CHAIN, Access.VIEWER, (ctx, q) -> audit.verify(q.witness() != null && q.witness()));
    }
}
