package io.tiyi;

import io.tiyi.agent.AgentRuntime;
import io.tiyi.alerts.Alerts;
import io.tiyi.api.AdminServer;
import io.tiyi.api.AgentIdentity;
import io.tiyi.api.AllowedHosts;
import io.tiyi.api.AuthRpc;
import io.tiyi.api.EventsRpc;
import io.tiyi.api.HealthHandler;
import io.tiyi.api.NodeStatus;
import io.tiyi.api.RpcHandler;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.SystemRpc;
import io.tiyi.api.UsersRpc;
import io.tiyi.api.WebUi;
import io.tiyi.audit.AuditChain;
import io.tiyi.audit.AuditLog;
import io.tiyi.audit.RefusedCallAudit;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.auth.Sessions;
import io.tiyi.auth.TokenService;
import io.tiyi.auth.Users;
import io.tiyi.backup.StreamControl;
import io.tiyi.certs.Certificates;
import io.tiyi.cluster.ClusterRole;
import io.tiyi.cluster.ClusterState;
import io.tiyi.cluster.ClusterStates;
import io.tiyi.cluster.Role;
import io.tiyi.config.TiyiConfig;
import io.tiyi.crypto.Envelope;
import io.tiyi.crypto.Kek;
import io.tiyi.crypto.RandomTokens;
import io.tiyi.events.EventLog;
import io.tiyi.fleet.BundleService;
import io.tiyi.fleet.Fleet;
import io.tiyi.fleet.SigningKeys;
import io.tiyi.internal.LogMarkers;
import io.tiyi.metrics.TiyiMetrics;
import io.tiyi.release.Releases;
import io.tiyi.release.RolloutState;
import io.tiyi.settings.Settings;
import io.tiyi.settings.SiemSettings;
import io.tiyi.siem.Origin;
import io.tiyi.siem.SiemDispatcher;
import io.tiyi.sites.RuntimeCompiler;
import io.tiyi.sites.Sites;
import io.tiyi.sites.Trust;
import io.tiyi.sites.WafPolicies;
import io.tiyi.store.Blobs;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary or secondary: state.db and its single writer, the cluster role, the features on the
 * state, the admin listener with the RPC API and the UI, and the node's own data plane, an agent
 * like any other (enrolled once, fed signed bundles over the API).
 *
 * <p>Start-up opens state.db, checks the KEK against it before anything is written, applies
 * migrations, opens the admin listener (answering 503 until ready), makes sure the bundle signing
 * key and the bootstrap admin exist, wires each feature to the typed events it follows (committed
 * mutations, agents' reports, changes of role, signing key rotations), registers each feature's
 * RPC service, and starts the embedded agent. Features own their behaviour; this class only says
 * which parts a control plane has and who hears what.
 */
final class ControlPlane implements Assembly {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
    /** Long enough for the embedded agent to enroll, short enough to be no use to anyone else. */
    private static final Duration EMBEDDED_TOKEN_TTL = Duration.ofMinutes(5);

    private final long startedAt = System.currentTimeMillis();
    private final StateStore store;
    private final MutationPipeline pipeline;
    private final AdminServer admin;
    private final Users users;
    private final EventLog events;
    private final SiemDispatcher siem;
    private final DataPlaneNode dataPlane;
    private final ClusterRole role;
    private final BundleService bundles;
    private final RuntimeCompiler compiler;
    private final StreamControl streams;
    private final AuditLog audit;
    private final RpcRegistry rpc;
    private final LocalAdminCredential local;
    private final String bootstrapPassword;

    /** Starts the node; returns once it is ready. Whatever was opened is closed again when it fails. */
    ControlPlane(NodeOptions o, Supplier<NodeStatus> status) {
        TiyiConfig config = o.config();
        Path dir = config.state().dir();
        LOG.info("starting {} as {}", TiyiVersion.banner(), o.role().wireName());
        try {
            boolean freshSecondary = o.role() == Role.SECONDARY && !Files.exists(dir.resolve(StateStore.DB_FILE));
            if (freshSecondary) {
                ClusterRole.bootstrapSecondary(config, o.controlPlaneApi(), o.enrollmentToken(), o.route(), dir);
            }
            StateStore.secure(dir);
            store = StateStore.open(dir);
            LOG.info("state: {}", store.dbFile());
            Kek kek = Kek.resolve(config.crypto().kekFile(), store.dir(), store.storedKekFingerprint());
            LOG.info("state: schema version {}", store.migrate());
            ClusterStates states = new ClusterStates(store);
            boolean restart = states.current() != null;
            ClusterState cluster = boot(states, o, freshSecondary, kek);
            if (restart && cluster.role() == Role.PRIMARY && !cluster.readOnly()) {
                // Before the admin listener opens: a forced promotion may have replaced this node while it was down, so
                // nothing is acknowledged until ClusterRole.start has confirmed that no newer primary exists.
                states.fence("read-only after a restart at epoch " + cluster.epoch() + " until no newer primary is confirmed: asking the"
                        + " control-plane peers");
            }

            TiyiMetrics metrics = new TiyiMetrics();
            HealthHandler health = new HealthHandler(status, this::runtimeVersion, this::dataPlaneNotReady);
            admin = new AdminServer(config.server().addr(), AllowedHosts.of(config), metrics, health);
            LOG.info("api: admin listener on {}", admin.url());
            pipeline = new MutationPipeline(store, AuditChain.open(store, kek), states);

            Envelope envelope = new Envelope(kek);
            SigningKeys keys = new SigningKeys(store, pipeline, envelope);
            String signing = keys.ensure();
            Fleet fleet = new Fleet(store, pipeline);
            metrics.registry().gauge("tiyi_agents_connected", () -> () -> fleet.connected(Duration.ofSeconds(30)));
            LOG.info("bundles: signing key {}", signing);
            users = new Users(store, pipeline);
            bootstrapPassword = users.ensureBootstrapAdmin().map(ControlPlane::announce).orElse(null);
            Sessions sessions = new Sessions(store, pipeline, new TokenService(jwtSecret(config)), Clock.systemUTC());
            Settings settings = new Settings(store, pipeline);
            Sites sites = new Sites(store, pipeline);
            Certificates certificates = new Certificates(store, pipeline, envelope);
            events = new EventLog(store.dir().resolve("logs"), () -> Integer.parseInt(settings.value("logs.retention_days")),
                    () -> Long.parseLong(settings.value("logs.max_bytes")));
            dataPlane = new DataPlaneNode(config, metrics.registry(), events, health, store.dir().resolve("agent"), o.route());
            WafPolicies waf = new WafPolicies(store, pipeline, settings);
            Trust trust = new Trust(store, pipeline, settings, Trust.defaultHttpClient());
            role = new ClusterRole(config, store, pipeline, states, fleet, dataPlane.agent(), admin.address(), o.route(), o.fenceWait());
            bundles = new BundleService(fleet, keys, () -> states.current().epoch(), role::controlPlaneEndpoints, role::notPrimaryReason,
                    metrics.registry());
            Alerts alerts = new Alerts(store, pipeline, role::writable);
            if (role.writable()) {
                alerts.ensureSeeded();
            }
            role.onChange(c -> {
                if (c.kind() == ClusterRole.RoleChange.Kind.UNFENCED) {
                    alerts.ensureSeeded();
                }
            });
            alerts.reportTo(events);
            siem = new SiemDispatcher(Origin.local(cluster.nodeId()), metrics.registry(), SiemDispatcher.DEFAULT_QUEUE);
            SiemSettings siemSettings = new SiemSettings(settings, siem);
            events.forwardTo(siem::offer);
            dataPlane.proxy().onApply(siemSettings::applied);
            audit = new AuditLog(store, events, kek, fleet, bundles, cluster.nodeId(), () -> states.current().epoch(), role::writable);
            streams = new StreamControl(store, pipeline, settings, role::state, metrics.registry());
            // In this order: the SIEM takes a settings change before the change's own audit entry goes out.
            pipeline.onCommit(siemSettings::committed);
            pipeline.onCommit(streams::committed);
            pipeline.onCommit(audit::committed);
            Releases releases = new Releases(store, pipeline, new Blobs(store), fleet, role::writable, keys::load,
                    () -> Integer.parseInt(settings.value("releases.keep")));
            bundles.onSigningKeyReplaced(releases::signingKeyRotated);
            bundles.commands(releases::commandsFor);
            for (RolloutState st : RolloutState.values()) {
                metrics.registry().gauge("tiyi.releases.agents." + st.wireName(), () -> () -> releases.targetsByState().get(st));
            }
            compiler = new RuntimeCompiler(store, sites, certificates, settings, waf, trust, pipeline::lastSeq, bundles::publish);
            bundles.publish(compiler.compile());
            pipeline.onCommit(compiler::committed);

            fleet.onReport(role::onAgentReport);
            fleet.onReport(releases::onReport);
            fleet.onReport(alerts::onAgentReport);
            role.onChange(this::roleChanged);
            metrics.registry().gauge("tiyi_replication_lag_seq", () -> role::replicationLag);
            role.onReplicationStall(alerts::replicationStalled, alerts::replicationRecovered);
            bundles.onSigningKeyRotated(dataPlane.agent()::trustRotatedSigningKey);
            bundles.onSigningKeyRotated(key -> compiler.request());

            rpc = new RpcRegistry().register(new AuthRpc(sessions, users)).register(new UsersRpc(users))
                    .register(new SystemRpc(status, startedAt)).register(settings).register(audit).register(sites).register(certificates)
                    .register(new EventsRpc(events)).register(waf).register(bundles).register(role).register(trust).register(alerts)
                    .register(releases).register(siemSettings);
            admin.mount("/rpc", new RpcHandler(rpc, sessions,
                    credential -> fleet.authenticate(credential).map(a -> new AgentIdentity(a.id(), AgentIdentity.SECONDARY_TAG.equals(a.tag()))),
                    role::notPrimaryReason, new RefusedCallAudit(pipeline)));
            // The web UI's cookies are Secure behind a TLS-terminating proxy that the cluster's trust profile trusts.
            admin.mount("/", new WebUi(sessions, role::notPrimaryReason, peer -> {
                io.tiyi.trust.TrustProfile p = trust.profile();
                return io.tiyi.trust.ClientIpResolver.of(p, trust.trustedCdnLists(p)).resolve(peer, h -> java.util.List.of()).peerTrusted();
            }));
            local = LocalAdminCredential.write(store.dir(), admin.localUrl());
            sessions.setLocalAdminToken(local.token());
            LOG.info("api: {} RPC methods; local admin credential in {}", rpc.all().size(), store.dir().resolve(LocalAdminCredential.FILE));

            startEmbeddedAgent(o.controlPlaneApi(), fleet);
            role.start();
            streams.start();
            audit.start();
            ClusterState cs = role.state();
            LOG.info("tiyi {} ready on {} (epoch {})", cs.role().wireName(), admin.url(), cs.epoch());
        } catch (RuntimeException e) {
            close(0);
            throw e;
        }
    }

    /** The node's cluster state at start: a first boot writes it, a restart reads it. */
    private static ClusterState boot(ClusterStates states, NodeOptions o, boolean freshSecondary, Kek kek) {
        ClusterState cs = states.current();
        if (freshSecondary) {
            cs = states.becomeSecondary(UUID.randomUUID().toString());
            LOG.info("cluster: first boot from a snapshot of {}, node {} is secondary at epoch {}", o.controlPlaneApi(), cs.nodeId(), cs.epoch());
        } else if (cs == null) {
            cs = states.init(UUID.randomUUID().toString(), o.role(), 1, kek.fingerprint());
            LOG.info("cluster: first boot, node {} is {} at epoch {}", cs.nodeId(), cs.role().wireName(), cs.epoch());
        } else {
            LOG.info("cluster: node {} is {} at epoch {}{}", cs.nodeId(), cs.role().wireName(), cs.epoch(), cs.readOnly() ? " (read-only)" : "");
            if (cs.role() != o.role()) {
                LOG.warn("cluster: started as {} but state.db says this node is {}; it runs as {} (the role is decided by promotions, not"
                        + " by the command line)", o.role().wireName(), cs.role().wireName(), cs.role().wireName());
            }
        }
        return cs;
    }

    private static String announce(String password) {
        LOG.warn(LogMarkers.SETUP, "bootstrap admin created: user '{}' password '{}' (shown once); log in and replace it with "
                + "'tiyi users set-password --name {}' before going live", Users.BOOTSTRAP_ADMIN, password, Users.BOOTSTRAP_ADMIN);
        return password;
    }

    private static byte[] jwtSecret(TiyiConfig config) {
        Optional<String> configured = config.auth().jwtSecret();
        if (configured.isPresent()) {
            return configured.get().getBytes(StandardCharsets.UTF_8);
        }
        LOG.warn(LogMarkers.SETUP, "auth.jwt_secret is not set: using an ephemeral secret, so sessions will not survive a restart and "
                + "replicas cannot share refresh tokens; set auth.jwt_secret or TIYI_AUTH_JWT_SECRET (32+ bytes)");
        return RandomTokens.bytes(32);
    }

    /**
     * The node's own data plane enrolls with the node (a primary issues itself a token), or, on a
     * secondary or a node that stepped down, follows the primary it enrolled with.
     */
    private void startEmbeddedAgent(String primaryApi, Fleet fleet) {
        AgentRuntime agent = dataPlane.agent();
        agent.nodeApi(role::controlPlaneApi);
        ClusterState cs = role.state();
        if (cs.role() != Role.PRIMARY) {
            agent.start(agent.enroll(cs.role() == Role.SECONDARY ? primaryApi : null, null));
            return;
        }
        Runnable enroll = () -> agent.start(agent.enroll(local.api(), dataPlane.enrolled() ? null
                : fleet.issueToken("system", TiyiNode.EMBEDDED_AGENT_TAG, EMBEDDED_TOKEN_TTL).token()));
        if (!role.writable() && !dataPlane.enrolled()) {
            // Restored without an identity, or fenced at start: enrolling the embedded agent is a change, and changes wait.
            LOG.warn("cluster: this node is a read-only primary whose data plane has no identity yet (restored without agent/, or a new"
                    + " identity after a restore); it serves no traffic until it takes changes: {}", cs.readOnly()
                    ? "tiyi system resume-writes --yes once no other primary serves" : "its start fence opens, or tiyi system resume-writes --yes");
            role.onResumeWrites(enroll);
        } else {
            enroll.run();
        }
    }

    /** A node that stepped down serves no more bundles and follows the new primary; a new primary compiles at once. */
    private void roleChanged(ClusterRole.RoleChange change) {
        switch (change.kind()) {
            case STEPPED_DOWN -> {
                bundles.close();
                dataPlane.agent().moveTo(change.primaryApi());
            }
            case PROMOTED -> {
                dataPlane.agent().moveTo(local.api());
                compiler.request();
            }
            default -> {
                // Demotion for a promotion elsewhere, and its undoing, leave the data plane where it is.
            }
        }
    }

    /**
     * Why this node's data plane cannot carry traffic (listeners not bound, no verified bundle),
     * or null; nothing is said before its embedded agent has an identity (a restored node waiting
     * for resume-writes), since it then serves no bundles by design.
     */
    private String dataPlaneNotReady() {
        DataPlaneNode d = dataPlane;
        return d == null || d.agent().identity() == null ? null : d.agent().notReadyReason();
    }

    private long runtimeVersion() {
        DataPlaneNode d = dataPlane;
        return d == null ? 0 : d.runtimeVersion();
    }

    @Override
    public NodeStatus status(NodeStatus.Phase phase) {
        return role.nodeStatus(phase);
    }

    @Override
    public Role role() {
        return role.state().role();
    }

    @Override
    public long epoch() {
        return role.state().epoch();
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
        return Optional.of(admin);
    }

    @Override
    public Optional<ControlPlane> controlPlane() {
        return Optional.of(this);
    }

    StateStore store() {
        return store;
    }

    /** The last committed mutation seq. */
    long lastSeq() {
        return pipeline.lastSeq();
    }

    /** Completes once mutation {@code seq} is committed here (replayed, on a secondary). */
    java.util.concurrent.CompletableFuture<Long> reached(long seq) {
        return pipeline.reached(seq);
    }

    ClusterRole clusterRole() {
        return role;
    }

    Users users() {
        return users;
    }

    RpcRegistry rpc() {
        return rpc;
    }

    /** The credential the CLI on this host uses. */
    LocalAdminCredential local() {
        return local;
    }

    Optional<String> bootstrapPassword() {
        return Optional.ofNullable(bootstrapPassword);
    }

    @Override
    public void close(long drainMs) {
        if (role != null) {
            role.close();
        }
        if (dataPlane != null) {
            dataPlane.stopAgent();
        }
        if (bundles != null) {
            // Answers waiting long polls now, so the admin listener drains at once.
            bundles.close();
        }
        if (admin != null) {
            try {
                admin.shutdown(drainMs);
            } catch (RuntimeException e) {
                LOG.warn("admin listener did not stop cleanly: {}", e.toString());
            }
        }
        if (store != null && users != null) {
            LocalAdminCredential.delete(store.dir());
        }
        if (streams != null) {
            streams.close();
        }
        if (audit != null) {
            audit.close();
        }
        if (compiler != null) {
            compiler.close();
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
        if (pipeline != null) {
            pipeline.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
