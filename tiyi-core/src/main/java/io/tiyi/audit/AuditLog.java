package io.tiyi.audit;

import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.events.AuditLogEvent;
import io.tiyi.events.EventLog;
import io.tiyi.store.Committed;
import io.tiyi.store.StateStore;

/**
 * The audit chain as a node serves it: {@code AuditService} to read and verify it, and every entry
 * this node appends written to its event log as an audit event (and so to the SIEM).
 */
public final class AuditLog implements RpcService {
    private final StateStore store;
    private final EventLog events;

    /** The chain in {@code store}, and {@code events} where this node's entries go. */
    public AuditLog(StateStore store, EventLog events) {
        this.store = store;
        this.events = events;
    }

    /**
     * After each commit: the entry of a mutation this node accepted goes to the event log. Entries
     * replayed from another node's log carry none; the node that accepted them reported them.
     */
    public void committed(Committed<?> c) {
        if (c.audit() != null) {
            events.offer(new AuditLogEvent(c.ts(), c.seq(), c.actor(), c.audit().action(), c.audit().target(), c.audit().details()));
        }
    }

    @Override
    public void register(RpcRegistry registry) {
        AuditRpc.register(registry, store);
    }
}
