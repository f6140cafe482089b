package io.tiyi;

import io.tiyi.agent.AgentRuntime;
import io.tiyi.api.NodeStatus;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiClient;
import io.tiyi.cluster.Role;
import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import io.tiyi.events.EventLog;
import io.tiyi.siem.SiemDispatcher;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Tiyi node running in this JVM: what {@code tiyi server} starts, and what an embedding host
 * or a test harness starts directly.
 *
 * <pre>{@code
 * try (TiyiNode node = TiyiNode.builder().stateDir(Path.of("data")).adminAddress("127.0.0.1:0").build().start()) {
 *     node.client().call(SitesService.CREATE, new SitesService.PutRequest("shop", List.of("shop.example"),
 *             List.of("http://10.0.0.5:8080"), null, null, null));
 *     node.awaitDataPlane(Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>A primary or secondary runs a {@link ControlPlane} with its embedded agent; an agent runs an
 * {@link AgentNode}. This class is the lifecycle around them: {@link #start()} returns once the
 * node is ready, {@link #close()} drains the listeners, lets committed work finish and closes
 * state.db.
 */
public final class TiyiNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TiyiNode.class);
    /** The tag of the agent embedded in a control-plane node. */
    public static final String EMBEDDED_AGENT_TAG = "embedded";
    private static final long DRAIN_MS = 10_000;

    private final NodeOptions options;
    private volatile NodeStatus.Phase phase = NodeStatus.Phase.STARTING;
    private volatile Assembly node;

    private TiyiNode(NodeOptions options) {
        this.options = options;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configures a node. */
    public static final class Builder {
        private TiyiConfig config = TiyiConfig.defaults();
        private Role role = Role.PRIMARY;
        private String controlPlaneApi;
        private String enrollmentToken;
        private boolean adminAddressSet;
        private UnaryOperator<String> route = UnaryOperator.identity();
        private Runnable onRestart;

        private Builder() {}

        /**
         * For an agent under a supervisor: how the process restarts into a binary a release rollout
         * installed (the launcher stops the node and exits with
         * {@link io.tiyi.agent.BinaryUpdater#EXIT_RESTART}). Called on an agent thread. Without it
         * the agent refuses rollout commands and reports why.
         */
        public Builder onRestartForUpgrade(Runnable restart) {
            this.onRestart = restart;
            return this;
        }

        /** The node's static configuration (file, environment and flags already merged). */
        public Builder config(TiyiConfig config) {
            this.config = Objects.requireNonNull(config);
            return this;
        }

        /** Where state.db, the KEK and the node's logs live (overrides the configuration's {@code state.dir}). */
        public Builder stateDir(Path dir) {
            this.config = config.withStateDir(Objects.requireNonNull(dir, "dir"));
            return this;
        }

        /** The admin API listener, {@code host:port}; port 0 takes a free port. */
        public Builder adminAddress(String hostPort) {
            this.config = config.withServerAddr(HostPort.parse(hostPort, "adminAddress"));
            this.adminAddressSet = true;
            return this;
        }

        /**
         * For {@link Role#AGENT}: the control plane's API, for example {@code http://10.0.0.1:8080}.
         * Needed to enroll; afterwards the agent remembers it (giving it again moves the agent to it).
         */
        public Builder agentApi(String url) {
            this.controlPlaneApi = url;
            return this;
        }

        /**
         * For {@link Role#SECONDARY}: the primary's API, for example {@code http://10.0.0.1:8080}.
         * Needed on first start (with an enrollment token issued with {@code --tag secondary}).
         */
        public Builder primaryApi(String url) {
            this.controlPlaneApi = url;
            return this;
        }

        /** For {@link Role#AGENT} and {@link Role#SECONDARY}: the single-use token to enroll with, when the state directory holds no identity yet. */
        public Builder enrollmentToken(String token) {
            this.enrollmentToken = token;
            return this;
        }

        /** The data plane's HTTP listener, {@code host:port}; port 0 takes a free port. */
        public Builder httpAddress(String hostPort) {
            this.config = config.withHttpAddr(HostPort.parse(hostPort, "httpAddress"));
            return this;
        }

        /** The data plane's HTTPS listener, {@code host:port}; port 0 takes a free port. */
        public Builder httpsAddress(String hostPort) {
            this.config = config.withHttpsAddr(HostPort.parse(hostPort, "httpsAddress"));
            return this;
        }

        /**
         * How this node reaches other nodes' APIs: identity by default. {@link TiyiCluster} maps each
         * URL to a TCP link it can cut, to stage partitions.
         */
        public Builder route(UnaryOperator<String> r) {
            this.route = Objects.requireNonNull(r);
            return this;
        }

        /** The role to run; {@link Role#PRIMARY} is the standalone node. */
        public Builder role(Role role) {
            this.role = Objects.requireNonNull(role);
            return this;
        }

        public TiyiNode build() {
            return new TiyiNode(new NodeOptions(config, role, controlPlaneApi, enrollmentToken, adminAddressSet, route, onRestart));
        }
    }

    /**
     * Starts the node and returns once it is ready.
     *
     * @throws TiyiException with a message that says what to fix; whatever was opened is closed again
     */
    public TiyiNode start() {
        DataPlaneNode.requireDetectors();
        node = options.role() == Role.AGENT ? new AgentNode(options, this::status) : new ControlPlane(options, this::status);
        phase = NodeStatus.Phase.READY;
        return this;
    }

    private Assembly running() {
        return Optional.ofNullable(node).orElseThrow(() -> new IllegalStateException("the node is not started"));
    }

    /** The control plane, for this package and its tests; an agent has none. */
    ControlPlane controlPlane() {
        return running().controlPlane().orElseThrow(() -> new IllegalStateException("an agent has no control plane"));
    }

    /** What {@code /healthz} reports now. */
    public NodeStatus status() {
        Assembly a = node;
        return a != null ? a.status(phase) : new NodeStatus(phase, options.role().wireName(), 0, false, 0, "", -1, null);
    }

    /**
     * A client of this node's RPC API with the node's local admin credential: what the CLI on
     * the node's host uses, and what a host application or test uses to configure it.
     */
    public TiyiClient client() {
        LocalAdminCredential c = controlPlane().local();
        return TiyiClient.of(c.api(), c.token());
    }

    /** The admin API base URL, for example {@code http://127.0.0.1:8080}. */
    public String adminUrl() {
        return running().admin().orElseThrow(() -> new IllegalStateException("this agent has no admin listener")).url();
    }

    /** The role this node runs now. */
    public Role role() {
        Assembly a = node;
        return a == null ? options.role() : a.role();
    }

    /** The fencing epoch this node holds; 0 for an agent. */
    public long epoch() {
        Assembly a = node;
        return a == null ? 0 : a.epoch();
    }

    /** The static configuration it was started with. */
    public TiyiConfig config() {
        return options.config();
    }

    /** The password of the bootstrap admin when this start created it, else empty. */
    public Optional<String> bootstrapPassword() {
        return node == null ? Optional.empty() : running().controlPlane().flatMap(ControlPlane::bootstrapPassword);
    }

    /** The version (mutation seq) of the configuration the data plane runs. */
    public long runtimeVersion() {
        return running().dataPlane().runtimeVersion();
    }

    /**
     * Waits until the data plane runs the configuration of every mutation committed before the
     * call (configuration is compiled and swapped in asynchronously after a commit).
     *
     * @return false if it did not within {@code timeout}
     */
    public boolean awaitDataPlane(Duration timeout) throws InterruptedException {
        return running().dataPlane().await(controlPlane().lastSeq(), timeout);
    }

    /** The data plane's HTTP listener. */
    public InetSocketAddress httpAddress() {
        return running().dataPlane().httpAddress();
    }

    /** The data plane's HTTPS listener, while one is open. */
    public Optional<InetSocketAddress> httpsAddress() {
        return running().dataPlane().httpsAddress();
    }

    /** The node's event log. */
    public EventLog events() {
        return running().events();
    }

    /** This node's SIEM dispatcher, once started. */
    public Optional<SiemDispatcher> siem() {
        return Optional.ofNullable(node).map(Assembly::siem);
    }

    /** The node's agent runtime: a separate agent's, or the one embedded in a control-plane node. */
    public Optional<AgentRuntime> agent() {
        return Optional.ofNullable(node).map(a -> a.dataPlane().agent());
    }

    /** Stops the node: the listeners drain, pending mutations commit, state.db closes. */
    @Override
    public void close() {
        stop(DRAIN_MS, "stopping tiyi");
    }

    /**
     * Stops at once, as close to a killed process as a JVM allows: listeners close without
     * draining, in-flight requests are cut. Committed state is safe (SQLite's journal); for
     * {@link TiyiCluster}'s failure tests.
     */
    void halt() {
        stop(0, "halting tiyi");
    }

    private void stop(long drainMs, String what) {
        if (phase == NodeStatus.Phase.STOPPING) {
            return;
        }
        phase = NodeStatus.Phase.STOPPING;
        LOG.info(what);
        Assembly a = node;
        if (a != null) {
            a.close(drainMs);
        }
        LOG.info("tiyi stopped");
    }
}
