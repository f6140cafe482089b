package io.tiyi;

import io.tiyi.api.AdminServer;
import io.tiyi.api.NodeStatus;
import io.tiyi.cluster.Role;
import io.tiyi.events.EventLog;
import io.tiyi.siem.SiemDispatcher;
import java.util.Optional;

/** What a {@link TiyiNode} runs: an agent alone ({@link AgentNode}), or a control plane with its embedded agent ({@link ControlPlane}). */
interface Assembly {
    /** What {@code /healthz} reports in {@code phase}. */
    NodeStatus status(NodeStatus.Phase phase);

    /** The role the node runs now. */
    Role role();

    /** The fencing epoch the node holds; 0 for an agent. */
    long epoch();

    /** The node's proxy and agent. */
    DataPlaneNode dataPlane();

    /** The node's event log. */
    EventLog events();

    /** The node's SIEM dispatcher. */
    SiemDispatcher siem();

    /** The admin listener, if the node has one. */
    Optional<AdminServer> admin();

    /** The control plane, unless the node is an agent. */
    Optional<ControlPlane> controlPlane();

    /** Stops everything; listeners let requests under way finish for up to {@code drainMs}. */
    void close(long drainMs);
}
