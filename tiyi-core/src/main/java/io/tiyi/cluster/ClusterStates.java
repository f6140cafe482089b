package io.tiyi.cluster;

import static io.tiyi.store.generated.Tables.CLUSTER_STATE;

import io.tiyi.TiyiException;
import io.tiyi.internal.Topic;
import io.tiyi.store.MutationRejectedException;
import io.tiyi.store.StateStore;
import io.tiyi.store.WriteFence;
import io.tiyi.store.generated.tables.records.ClusterStateRecord;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jooq.DSLContext;

/**
 * This node's {@code cluster_state} row, and the one view of it the node runs on. Every change of
 * role, epoch or read-only flag goes through here: it is persisted, then the view changes, then
 * subscribers hear of it. The view's epoch is the one this node was granted: a mutation is
 * admitted only while the persisted row still says primary, read-write, at that epoch, so a row
 * changed behind the node's back (a restore, another process) fences it.
 */
public final class ClusterStates implements WriteFence {
    private final StateStore store;
    private final Topic<ClusterState> changes = new Topic<>("cluster state changes");
    private volatile ClusterState current;
    /** Why a primary that restarted takes no mutations yet (its start fence); null once open. Node-local and never persisted. */
    private volatile String fence;
    /** Why the node did not run lately and must not commit before it reacted (see {@link PauseWatch}); null when it may. */
    private volatile Supplier<String> paused = () -> null;

    /** The view of {@code store}'s row as it is now (none before the node's first boot). */
    public ClusterStates(StateStore store) {
        this.store = store;
        this.current = read(store).orElse(null);
    }

    /** The row of a store, without keeping a view of it. */
    public static Optional<ClusterState> read(StateStore store) {
        return store.read(db -> db.selectFrom(CLUSTER_STATE).fetchOptional().map(ClusterStates::state));
    }

    private static ClusterState state(ClusterStateRecord r) {
        return new ClusterState(r.getNodeId(), Role.fromWire(r.getRole()), r.getEpoch(), r.getReadOnly(), r.getKekFingerprint());
    }

    /** The state now; null before the first boot wrote it. */
    public ClusterState current() {
        return current;
    }

    /** Calls {@code subscriber} with the new state after every change. */
    public void onChange(Consumer<ClusterState> subscriber) {
        changes.subscribe(subscriber);
    }

    /** Writes the first row (first boot of a node). Refuses when one exists. */
    public ClusterState init(String nodeId, Role role, long epoch, String kekFingerprint) {
        long now = System.currentTimeMillis();
        store.writeLocal(db -> {
            if (db.fetchExists(CLUSTER_STATE)) {
                throw new TiyiException(store.dbFile() + " is already initialised");
            }
            return db.insertInto(CLUSTER_STATE)
                    .set(CLUSTER_STATE.ID, 1)
                    .set(CLUSTER_STATE.NODE_ID, nodeId)
                    .set(CLUSTER_STATE.ROLE, role.wireName())
                    .set(CLUSTER_STATE.EPOCH, epoch)
                    .set(CLUSTER_STATE.READ_ONLY, false)
                    .set(CLUSTER_STATE.KEK_FINGERPRINT, kekFingerprint)
                    .set(CLUSTER_STATE.CREATED_AT, now)
                    .set(CLUSTER_STATE.UPDATED_AT, now)
                    .execute();
        });
        return reload();
    }

    /**
     * Makes a database restored from another node's snapshot this node's own: a new node id, the
     * secondary role, read-only; the epoch stays the one of the node it follows.
     */
    public ClusterState becomeSecondary(String nodeId) {
        store.writeLocal(db -> db.update(CLUSTER_STATE).set(CLUSTER_STATE.NODE_ID, nodeId).set(CLUSTER_STATE.ROLE, Role.SECONDARY.wireName())
                .set(CLUSTER_STATE.READ_ONLY, true).set(CLUSTER_STATE.UPDATED_AT, System.currentTimeMillis()).execute());
        return reload();
    }

    /**
     * Fences this node in memory: every mutation is refused with {@code reason} until {@link #unfence}.
     * Unlike the persisted read-only flag it does not survive a restart, where the fence is raised anew.
     */
    public void fence(String reason) {
        fence = reason;
    }

    /**
     * Asks {@code why} before every commit whether the node did not run lately (a pause the
     * pause watch has not reacted to yet); a non-null answer refuses the mutation with it.
     */
    void watchPauses(Supplier<String> why) {
        paused = why;
    }

    /** Lifts the in-memory fence. */
    public void unfence() {
        fence = null;
    }

    /** Why the node is fenced in memory, or null when it is not. */
    public String fenceReason() {
        return fence;
    }

    /** Sets the read-only flag (demotion, fencing, resuming writes); node-local, not a replicated mutation. */
    public ClusterState setReadOnly(boolean readOnly) {
        store.writeLocal(db -> db.update(CLUSTER_STATE).set(CLUSTER_STATE.READ_ONLY, readOnly)
                .set(CLUSTER_STATE.UPDATED_AT, System.currentTimeMillis()).execute());
        return reload();
    }

    /** Sets role and epoch; the epoch may never go down. */
    public ClusterState setRoleAndEpoch(Role role, long epoch) {
        store.writeLocal(db -> {
            long persisted = db.select(CLUSTER_STATE.EPOCH).from(CLUSTER_STATE).fetchOne(CLUSTER_STATE.EPOCH);
            if (epoch < persisted) {
                throw new TiyiException("epoch may not go down: " + persisted + " -> " + epoch);
            }
            return db.update(CLUSTER_STATE).set(CLUSTER_STATE.ROLE, role.wireName()).set(CLUSTER_STATE.EPOCH, epoch)
                    .set(CLUSTER_STATE.UPDATED_AT, System.currentTimeMillis()).execute();
        });
        return reload();
    }

    /** Sets role, epoch and read-only flag in one transaction (a promotion, a step down); the epoch may never go down. */
    public ClusterState become(Role role, long epoch, boolean readOnly) {
        store.writeLocal(db -> {
            long persisted = db.select(CLUSTER_STATE.EPOCH).from(CLUSTER_STATE).fetchOne(CLUSTER_STATE.EPOCH);
            if (epoch < persisted) {
                throw new TiyiException("epoch may not go down: " + persisted + " -> " + epoch);
            }
            return db.update(CLUSTER_STATE).set(CLUSTER_STATE.ROLE, role.wireName()).set(CLUSTER_STATE.EPOCH, epoch)
                    .set(CLUSTER_STATE.READ_ONLY, readOnly).set(CLUSTER_STATE.UPDATED_AT, System.currentTimeMillis()).execute();
        });
        return reload();
    }

    private ClusterState reload() {
        ClusterState cs = read(store).orElseThrow();
        current = cs;
        changes.publish(cs);
        return cs;
    }

    @Override
    public long admit(DSLContext db, OptionalLong expectedEpoch) {
        ClusterStateRecord cs = db.selectFrom(CLUSTER_STATE).fetchOne();
        ClusterState granted = current;
        if (cs == null || granted == null) {
            throw new MutationRejectedException(MutationRejectedException.Reason.NOT_PRIMARY, "this node is not initialised");
        }
        if (Role.fromWire(cs.getRole()) != Role.PRIMARY) {
            throw new MutationRejectedException(MutationRejectedException.Reason.NOT_PRIMARY,
                    "this node is " + cs.getRole() + ", not the primary; send changes to the primary");
        }
        if (cs.getReadOnly()) {
            throw new MutationRejectedException(MutationRejectedException.Reason.READ_ONLY,
                    "this node is read-only (demoted or fenced at epoch " + cs.getEpoch() + "); send changes to the current primary");
        }
        // Before the fence: the pause watch raises the fence before it refreshes its heartbeat, so a fresh heartbeat here
        // means the fence read next is the one raised for any pause.
        String stalled = paused.get();
        if (stalled != null) {
            throw new MutationRejectedException(MutationRejectedException.Reason.READ_ONLY, stalled);
        }
        String fenced = fence;
        if (fenced != null) {
            throw new MutationRejectedException(MutationRejectedException.Reason.READ_ONLY, fenced);
        }
        long epoch = cs.getEpoch();
        if (epoch != granted.epoch()) {
            throw new MutationRejectedException(MutationRejectedException.Reason.STALE_EPOCH,
                    "this node holds epoch " + granted.epoch() + " but state.db is at epoch " + epoch + "; it no longer accepts changes");
        }
        if (expectedEpoch.isPresent() && expectedEpoch.getAsLong() != epoch) {
            throw new MutationRejectedException(MutationRejectedException.Reason.STALE_EPOCH,
                    "change was made for epoch " + expectedEpoch.getAsLong() + " but the node is at epoch " + epoch);
        }
        return epoch;
    }

    @Override
    public void admitReplay(DSLContext db) {
        ClusterStateRecord cs = db.selectFrom(CLUSTER_STATE).fetchOne();
        if (cs == null || Role.fromWire(cs.getRole()) == Role.PRIMARY && !cs.getReadOnly()) {
            throw new MutationRejectedException(MutationRejectedException.Reason.NOT_PRIMARY,
                    "this node is a read-write primary; it does not replay another node's log");
        }
    }
}
