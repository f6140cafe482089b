package io.tiyi.store;

import io.tiyi.audit.AuditChain;
import io.tiyi.cluster.ClusterStates;
import io.tiyi.cluster.Role;
import io.tiyi.crypto.Kek;
import java.nio.file.Path;

/** Opens initialised stores for tests. */
public final class TestStores {
    /** The KEK of every test store: the audit chain is keyed under it. */
    public static final Kek KEK = Kek.of(new byte[Kek.LENGTH]);

    private TestStores() {}

    /** A migrated state.db with a primary cluster_state at epoch 1. */
    public static StateStore primary(Path dir) {
        StateStore s = StateStore.open(dir);
        s.migrate();
        new ClusterStates(s).init("test-node", Role.PRIMARY, 1, KEK.fingerprint());
        return s;
    }

    /** A pipeline fenced by a view of the store's cluster state of its own. */
    public static MutationPipeline pipeline(StateStore s) {
        return pipeline(s, new ClusterStates(s));
    }

    /** A pipeline fenced by {@code states}: a test changes the node's role and epoch through it, as the cluster does. */
    public static MutationPipeline pipeline(StateStore s, ClusterStates states) {
        return new MutationPipeline(s, AuditChain.open(s, KEK), states);
    }
}
