package io.tiyi;

import io.tiyi.cluster.Role;
import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Configures a {@link TiyiNode}: its role, static configuration, listeners and, for agents and
 * secondaries, the control plane to enroll with. {@link #build()} makes the node; nothing runs
 * until {@link TiyiNode#start()}.
 */
public final class TiyiNodeBuilder {
    private TiyiConfig config = TiyiConfig.defaults();
    private Role role = Role.PRIMARY;
    private String controlPlaneApi;
    private String enrollmentToken;
    private boolean adminAddressSet;
    private UnaryOperator<String> route = UnaryOperator.identity();
    private Runnable onRestart;
    private Duration fenceWait = DEFAULT_FENCE_WAIT;

    /** How long a primary that restarted waits for agents' reports when a peer does not answer (docs/ha.md). */
    public static final Duration DEFAULT_FENCE_WAIT = Duration.ofSeconds(30);

    TiyiNodeBuilder() {}

    /**
     * For an agent under a supervisor: how the process restarts into a binary a release rollout
     * installed (the launcher stops the node and exits with
     * {@link io.tiyi.agent.BinaryUpdater#EXIT_RESTART}). Called on an agent thread. Without it
     * the agent refuses rollout commands and reports why.
     */
    public TiyiNodeBuilder onRestartForUpgrade(Runnable restart) {
        this.onRestart = restart;
        return this;
    }

    /** The node's static configuration (file, environment and flags already merged). */
    public TiyiNodeBuilder config(TiyiConfig config) {
        this.config = Objects.requireNonNull(config);
        return this;
    }

    /** Where state.db, the KEK and the node's logs live (overrides the configuration's {@code state.dir}). */
    public TiyiNodeBuilder stateDir(Path dir) {
        this.config = config.withStateDir(Objects.requireNonNull(dir, "dir"));
        return this;
    }

    /** The admin API listener, {@code host:port}; port 0 takes a free port. */
    public TiyiNodeBuilder adminAddress(String hostPort) {
        this.config = config.withServerAddr(HostPort.parse(hostPort, "adminAddress"));
        this.adminAddressSet = true;
        return this;
    }

    /**
     * For {@link Role#AGENT}: the control plane's API, for example {@code http://10.0.0.1:8080}.
     * Needed to enroll; afterwards the agent remembers it (giving it again moves the agent to it).
     */
    public TiyiNodeBuilder agentApi(String url) {
        this.controlPlaneApi = url;
        return this;
    }

    /**
     * For {@link Role#SECONDARY}: the primary's API, for example {@code http://10.0.0.1:8080}.
     * Needed on first start (with an enrollment token issued with {@code --tag secondary}).
     */
    public TiyiNodeBuilder primaryApi(String url) {
        this.controlPlaneApi = url;
        return this;
    }

    /** For {@link Role#AGENT} and {@link Role#SECONDARY}: the single-use token to enroll with, when the state directory holds no identity yet. */
    public TiyiNodeBuilder enrollmentToken(String token) {
        this.enrollmentToken = token;
        return this;
    }

    /** The data plane's HTTP listener, {@code host:port}; port 0 takes a free port. */
    public TiyiNodeBuilder httpAddress(String hostPort) {
        this.config = config.withHttpAddr(HostPort.parse(hostPort, "httpAddress"));
        return this;
    }

    /** The data plane's HTTPS listener, {@code host:port}; port 0 takes a free port. */
    public TiyiNodeBuilder httpsAddress(String hostPort) {
        this.config = config.withHttpsAddr(HostPort.parse(hostPort, "httpsAddress"));
        return this;
    }

    /**
     * How this node reaches other nodes' APIs: identity by default. {@link TiyiCluster} maps each
     * URL to a TCP link it can cut, to stage partitions.
     */
    public TiyiNodeBuilder route(UnaryOperator<String> r) {
        this.route = Objects.requireNonNull(r);
        return this;
    }

    /** The role to run; {@link Role#PRIMARY} is the standalone node. */
    public TiyiNodeBuilder role(Role role) {
        this.role = Objects.requireNonNull(role);
        return this;
    }

    /**
     * For a primary that restarts: how long its start fence waits for agents' reports when a
     * control-plane peer does not answer, before it says it stays read-only (default 30 s).
     */
    public TiyiNodeBuilder fenceWait(Duration wait) {
        if (wait.isNegative()) {
            throw new IllegalArgumentException("fenceWait must not be negative, got " + wait);
        }
        this.fenceWait = wait;
        return this;
    }

    /** The node, not started yet. */
    public TiyiNode build() {
        return new TiyiNode(new NodeOptions(config, role, controlPlaneApi, enrollmentToken, adminAddressSet, route, onRestart, fenceWait));
    }
}
