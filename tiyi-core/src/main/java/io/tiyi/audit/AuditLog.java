package io.tiyi.audit;

import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.crypto.Kek;
import io.tiyi.events.AuditLogEvent;
import io.tiyi.events.EventLog;
import io.tiyi.fleet.BundleService;
import io.tiyi.fleet.Fleet;
import io.tiyi.store.Committed;
import io.tiyi.store.StateStore;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The audit chain as a node serves it: {@code AuditService} to read and verify it (against the
 * checkpoints agents hold, when asked), every entry this node appends written to its event log as
 * an audit event (and so to the SIEM), and the signed checkpoints that go out with bundles.
 */
public final class AuditLog implements RpcService, AutoCloseable {
    private final StateStore store;
    private final EventLog events;
    private final Kek kek;
    private final Fleet fleet;
    private final BundleService bundles;
    private final Checkpoints checkpoints;

    /**
     * The chain in {@code store}, and {@code events} where this node's entries go; its checkpoints
     * are signed with the bundle signing key of {@code bundles} and sent with its bundle polls.
     *
     * @param nodeId this node's id, named in each checkpoint
     * @param epoch this node's epoch now
     * @param primary whether this node is the read-write primary now: only it signs checkpoints
     */
    public AuditLog(StateStore store, EventLog events, Kek kek, Fleet fleet, BundleService bundles, String nodeId, LongSupplier epoch,
            BooleanSupplier primary) {
        this.store = store;
        this.events = events;
        this.kek = kek;
        this.fleet = fleet;
        this.bundles = bundles;
        this.checkpoints = new Checkpoints(store, bundles::sign, nodeId, epoch, primary, events);
        bundles.checkpoints(checkpoints::signNow, checkpoints::latest);
    }

    /** Starts signing a checkpoint every minute. */
    public void start() {
        checkpoints.start();
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

    /**
     * Checks the chain: its keyed hashes and links, its agreement with {@code mutation_log}, and with
     * {@code witness} the checkpoints the agents reported.
     */
    public AuditChain.Verification verify(boolean witness) {
        AuditChain.Verification v = AuditChain.verify(store, kek);
        return witness ? v.withWitness(Witness.check(store, fleet, bundles.signingKeyPublic())) : v;
    }

    @Override
    public void register(RpcRegistry registry) {
        AuditRpc.register(registry, store, this);
    }

    @Override
    public void close() {
        checkpoints.close();
    }
}
