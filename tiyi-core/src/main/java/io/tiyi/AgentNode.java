package io.tiyi;

import io.tiyi.agent.AgentFiles;
import io.tiyi.agent.AgentRuntime;
import io.tiyi.api.AdminServer;
import io.tiyi.api.AllowedHosts;
import io.tiyi.api.HealthHandler;
import io.tiyi.api.NodeStatus;
import io.tiyi.cluster.Role;
import io.tiyi.config.TiyiConfig;
import io.tiyi.events.EventLog;
import io.tiyi.internal.PrivateFiles;
import io.tiyi.metrics.TiyiMetrics;
import io.tiyi.siem.Origin;
import io.tiyi.siem.SiemDispatcher;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A separate agent: no state.db and no API of its own. It enrolls (once), then runs its data plane
 * from signed bundles; its SIEM forwarding follows the bundles, and its security events go to the
 * control plane it follows, since they are in no console's log otherwise. With an admin address
 * set it also serves {@code /healthz} and {@code /metrics} there.
 */
final class AgentNode implements Assembly {
    private static final Logger LOG = LoggerFactory.getLogger(AgentNode.class);
    /** How long a separate agent keeps its own event partitions. */
    private static final int RETENTION_DAYS = 14;

    private final String controlPlaneApi;
    private final AdminServer admin;
    private final EventLog events;
    private final DataPlaneNode dataPlane;
    private final SiemDispatcher siem;

    /** Starts the agent; returns once it serves (its last good bundle, if any). */
    AgentNode(NodeOptions o, Supplier<NodeStatus> status) {
        LOG.info("starting {} as agent", TiyiVersion.banner());
        TiyiConfig config = o.config();
        Path dir = config.state().dir();
        this.controlPlaneApi = o.controlPlaneApi();
        TiyiMetrics metrics = new TiyiMetrics();
        HealthHandler health = new HealthHandler(status, this::runtimeVersion, this::notReady);
        AdminServer a = null;
        EventLog e = null;
        DataPlaneNode d = null;
        SiemDispatcher s = null;
        try {
            if (o.agentAdminListener()) {
                a = new AdminServer(config.server().addr(), AllowedHosts.of(config), metrics, health);
                LOG.info("agent: health and metrics on {}", a.url());
            }
            PrivateFiles.secure(dir, "agent state directory");
            e = new EventLog(dir.resolve("logs"), () -> RETENTION_DAYS);
            d = new DataPlaneNode(config, metrics.registry(), e, health, dir, o.route());
            AgentRuntime agent = d.agent();
            if (o.onRestart() != null) {
                agent.onRestart(o.onRestart());
            }
            AgentFiles.Identity id = agent.enroll(o.controlPlaneApi(), o.enrollmentToken());
            s = new SiemDispatcher(Origin.local(id.agentId()), metrics.registry(), SiemDispatcher.DEFAULT_QUEUE);
            e.forwardTo(s::offer);
            agent.shipSecurityEvents(e);
            d.proxy().onApply(s::applied);
            agent.start(id);
            LOG.info("tiyi agent {} ready (control plane {})", id.agentId(), id.api());
        } catch (RuntimeException failed) {
            close(a, d, e, s, 0);
            throw failed;
        }
        this.siem = s;
        this.admin = a;
        this.events = e;
        this.dataPlane = d;
    }

    /** Why the agent cannot carry traffic although it runs (listeners not bound, no verified bundle), or null. */
    private String notReady() {
        DataPlaneNode d = dataPlane;
        return d == null ? null : d.agent().notReadyReason();
    }

    private long runtimeVersion() {
        DataPlaneNode d = dataPlane;
        return d == null ? 0 : d.runtimeVersion();
    }

    @Override
    public NodeStatus status(NodeStatus.Phase phase) {
        AgentRuntime agent = dataPlane == null ? null : dataPlane.agent();
        long[] v = agent == null ? new long[] {0, 0} : agent.appliedVersion();
        String id = agent == null || agent.agentId() == null ? "" : agent.agentId();
        return new NodeStatus(phase, Role.AGENT.wireName(), v[0], true, v[1], id, -1, controlPlaneApi);
    }

    @Override
    public Role role() {
        return Role.AGENT;
    }

    @Override
    public long epoch() {
        return 0;
    }

    @Override
    public DataPlaneNode dataPlane() {
        return dataPlane;
    }

    @Override
    public EventLog events() {
        return events;
    }

    @Override
    public SiemDispatcher siem() {
        return siem;
    }

    @Override
    public Optional<AdminServer> admin() {
        return Optional.ofNullable(admin);
    }

    @Override
    public Optional<ControlPlane> controlPlane() {
        return Optional.empty();
    }

    @Override
    public void close(long drainMs) {
        close(admin, dataPlane, events, siem, drainMs);
    }

    private static void close(AdminServer admin, DataPlaneNode dataPlane, EventLog events, SiemDispatcher siem, long drainMs) {
        if (dataPlane != null) {
            dataPlane.stopAgent();
        }
        if (admin != null) {
            admin.shutdown(drainMs);
        }
        if (dataPlane != null) {
            dataPlane.close(drainMs);
        }
        if (events != null) {
            events.close();
        }
        if (siem != null) {
            siem.close();
        }
    }
}
