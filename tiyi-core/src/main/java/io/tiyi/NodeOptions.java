package io.tiyi;

import io.tiyi.cluster.Role;
import io.tiyi.config.TiyiConfig;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * What {@link TiyiNodeBuilder} collected.
 *
 * @param config the static configuration
 * @param role the role asked for (state.db decides for a control-plane node that has one)
 * @param controlPlaneApi the control plane an agent enrolls with, or the primary a new secondary copies
 * @param enrollmentToken the token to enroll with, when there is no identity yet
 * @param agentAdminListener whether an agent opens an admin listener for {@code /healthz} and {@code /metrics}
 * @param route how the node reaches other nodes' APIs
 * @param onRestart how an agent restarts into a binary a rollout installed, or null
 * @param fenceWait how long a primary that restarted waits for agents' reports when a peer does not answer
 */
record NodeOptions(TiyiConfig config, Role role, String controlPlaneApi, String enrollmentToken, boolean agentAdminListener,
        UnaryOperator<String> route, Runnable onRestart, Duration fenceWait) {}
