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
 */
public record NodeStatus(Phase phase, String role, long epoch, boolean readOnly, long lastSeq, String nodeId, long lag, String primaryApi) {
    /** The node's lifecycle. */
    public enum Phase {
        STARTING,
        READY,
        STOPPING
    }
}
