package io.tiyi;

import io.tiyi.api.RpcRegistry;
import io.tiyi.auth.Users;
import io.tiyi.store.StateStore;

/** What tests look at inside a running control-plane node that its public API does not show. */
public final class NodeInternals {
    private NodeInternals() {}

    /** The node's state.db. */
    public static StateStore store(TiyiNode node) {
        return node.controlPlane().store();
    }

    /** For failover drills: a held secondary stops pulling the primary's log until released. */
    public static void holdReplication(TiyiNode node, boolean hold) {
        node.controlPlane().clusterRole().holdReplication(hold);
    }

    /**
     * For pause drills: a held heartbeat stands still as a stopped process's would; released, the
     * node sees a pause longer than its threshold, however short the hold.
     */
    public static void holdHeartbeat(TiyiNode node, boolean hold) {
        node.controlPlane().clusterRole().holdHeartbeat(hold);
    }

    /** The node's accounts. */
    public static Users users(TiyiNode node) {
        return node.controlPlane().users();
    }

    /** Every RPC method the node serves. */
    public static RpcRegistry rpcRegistry(TiyiNode node) {
        return node.controlPlane().rpc();
    }
}
