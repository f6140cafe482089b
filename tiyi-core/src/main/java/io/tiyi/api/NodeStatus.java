package io.tiyi.api;

/**
 * What {@code /healthz} reports.
 *
 * @param phase starting, ready or stopping
 * @param role primary, secondary or agent
 * @param epoch the fencing epoch
 * @param readOnly true when the node refuses mutations
 * @param lastSeq the last committed mutation
 * @param nodeId this node's id
 * @param readOnlyReason why a primary that is not read-only in state.db refuses mutations now (its start fence), else null
 */
public record NodeStatus(Phase phase, String role, long epoch, boolean readOnly, long lastSeq, String nodeId, long lag, String primaryApi,
        String readOnlyReason) {
    /** A status without a start fence. */
    public NodeStatus(Phase phase, String role, long epoch, boolean readOnly, long lastSeq, String nodeId, long lag, String primaryApi) {
        this(phase, role, epoch, readOnly, lastSeq, nodeId, lag, primaryApi, null);
    }

    /** The node's lifecycle. */
    public enum Phase {
        STARTING,
        READY,
        STOPPING
    }
}
