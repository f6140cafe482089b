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
 * @param lag how many mutations a secondary misses, -1 when not known or not a secondary
 * @param primaryApi the primary this node follows, null on the read-write primary
 * @param degraded why the node works but not as it should (a secondary's replication stalled), or null
 * @param readOnlyReason why a primary that is not read-only in state.db refuses mutations now (its start fence), else null
 */
public record NodeStatus(Phase phase, String role, long epoch, boolean readOnly, long lastSeq, String nodeId, long lag, String primaryApi,
        String degraded, String readOnlyReason) {
    /** A status with nothing degraded and no start fence. */
    public NodeStatus(Phase phase, String role, long epoch, boolean readOnly, long lastSeq, String nodeId, long lag, String primaryApi) {
        this(phase, role, epoch, readOnly, lastSeq, nodeId, lag, primaryApi, null, null);
    }

    /** The node's lifecycle. */
    public enum Phase {
        STARTING,
        READY,
        STOPPING
    }
}
