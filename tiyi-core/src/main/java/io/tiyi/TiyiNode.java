package io.tiyi;

import io.tiyi.agent.AgentRuntime;
import io.tiyi.api.NodeStatus;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiClient;
import io.tiyi.cluster.Role;
import io.tiyi.config.TiyiConfig;
import io.tiyi.events.EventLog;
import io.tiyi.siem.SiemDispatcher;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
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
 * <p>A primary or secondary runs a control plane with its embedded agent; an agent runs its data
 * plane alone. This class is the lifecycle around them: {@link #start()} returns once the
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

    TiyiNode(NodeOptions options) {
        this.options = options;
    }

    /** A builder for a primary with the default configuration. */
    public static TiyiNodeBuilder builder() {
        return new TiyiNodeBuilder();
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
