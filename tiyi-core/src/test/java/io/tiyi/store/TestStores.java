package io.tiyi.store;

import io.tiyi.audit.AuditChain;
import io.tiyi.cluster.Role;
import java.nio.file.Path;

/** Opens initialised stores for tests. */
public final class TestStores {
    private TestStores() {}

    /** A migrated state.db with a primary cluster_state at epoch 1. */
    public static StateStore primary(Path dir) {
        StateStore s = StateStore.open(dir);
        s.migrate();
        s.initClusterState("test-node", Role.PRIMARY, 1, "sha256:0000000000000000");
        return s;
    }

    public static MutationPipeline pipeline(StateStore s) {
        return new MutationPipeline(s, new AuditChain());
    }
}
