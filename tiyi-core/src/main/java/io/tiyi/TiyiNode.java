package io.tiyi;

import io.tiyi.api.AdminServer;
import io.tiyi.api.NodeStatus;
import io.tiyi.audit.AuditChain;
import io.tiyi.api.ControlPlaneApi;
import io.tiyi.api.RpcHandler;
import io.tiyi.api.RpcRegistry;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.auth.Sessions;
import io.tiyi.auth.TokenService;
import io.tiyi.auth.Users;
import io.tiyi.certs.Certificates;
import io.tiyi.events.EventLog;
import io.tiyi.proxy.DataPlane;
import io.tiyi.proxy.RuntimeConfig;
import io.tiyi.settings.Settings;
import io.tiyi.sites.RuntimeCompiler;
import io.tiyi.sites.Sites;
import io.tiyi.sites.WafPolicies;
import java.net.InetSocketAddress;
import java.time.Clock;
import io.tiyi.fleet.SigningKeys;
import io.tiyi.cluster.ClusterState;
import io.tiyi.cluster.Role;
import io.tiyi.config.TiyiConfig;
import io.tiyi.crypto.Envelope;
import io.tiyi.crypto.Kek;
import io.tiyi.crypto.RandomTokens;
import io.tiyi.metrics.TiyiMetrics;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Tiyi node running in this JVM: what {@code tiyi server} starts, and what an embedding host
 * or a test harness starts directly.
 *
 * <pre>{@code
 * try (TiyiNode node = TiyiNode.builder().stateDir(Path.of("data")).adminAddress("127.0.0.1:0").build().start()) {
 *     node.client().call("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.example"),
 *             "upstreams", List.of("http://10.0.0.5:8080")));
 *     node.awaitDataPlane(Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>Start-up opens state.db, checks the KEK against it before anything is written, applies
 * migrations, opens the admin listener (answering 503 until ready), makes sure the bundle
 * signing key and the bootstrap admin exist, and reports ready. {@link #close()} drains the
 * listener, lets committed work finish and closes state.db.
 */
public final class TiyiNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TiyiNode.class);
    /** The tag of the agent embedded in a control-plane node. */
    public static final String EMBEDDED_AGENT_TAG = "embedded";

    private final TiyiConfig config;
    private final Role role;
    private volatile NodeStatus.Phase phase = NodeStatus.Phase.STARTING;
    private volatile ClusterState cluster;

    private StateStore store;
    private MutationPipeline pipeline;
    private AdminServer admin;
    private TiyiMetrics metrics;
    private Kek kek;
    private Users users;
    private Sessions sessions;
    private Settings settings;
    private RpcRegistry rpc;
    private Sites sites;
    private WafPolicies wafPolicies;
    private Certificates certificates;
    private EventLog events;
    private DataPlane dataPlane;
    private RuntimeCompiler compiler;
    private String bootstrapPassword;
    private volatile LocalAdminCredential localAdmin;
    private final long startedAt = System.currentTimeMillis();

    private final String agentApi;
    private final String enrollmentToken;
    private final boolean agentAdminListener;
    private final java.util.function.UnaryOperator<String> route;
    private io.tiyi.fleet.Fleet fleet;
    private io.tiyi.fleet.BundleService bundles;
    private io.tiyi.agent.AgentRuntime agent;
    private io.tiyi.cluster.ReplicationSource replication;
    private volatile Failover failover;
    private io.tiyi.sites.Trust trust;
    private io.tiyi.alerts.Alerts alerts;
    private io.tiyi.siem.SiemDispatcher siem;
    private io.tiyi.release.Releases releases;
    private volatile io.tiyi.backup.StreamControl streams;

    private TiyiNode(Builder b) {
        this.config = b.config;
        this.role = b.role;
        this.agentApi = b.agentApi;
        this.enrollmentToken = b.enrollmentToken;
        this.agentAdminListener = b.adminAddressSet;
        this.route = b.route;
        this.onRestart = b.onRestart;
    }

    private final Runnable onRestart;

    public static Builder builder() {
        return new Builder();
    }

    /** Configures a node. */
    public static final class Builder {
        private TiyiConfig config = TiyiConfig.defaults();
        private Role role = Role.PRIMARY;
        private String agentApi;
        private String enrollmentToken;
        private boolean adminAddressSet;
        private java.util.function.UnaryOperator<String> route = java.util.function.UnaryOperator.identity();
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
        public Builder stateDir(java.nio.file.Path dir) {
            this.config = config.withStateDir(Objects.requireNonNull(dir, "dir"));
            return this;
        }

        /** The admin API listener, {@code host:port}; port 0 takes a free port. */
        public Builder adminAddress(String hostPort) {
            this.config = config.withServerAddr(io.tiyi.config.HostPort.parse(hostPort, "adminAddress"));
            this.adminAddressSet = true;
            return this;
        }

        /**
         * For {@link Role#AGENT}: the control plane's API, for example {@code http://10.0.0.1:8080}.
         * Needed to enroll; afterwards the agent remembers it (giving it again moves the agent to it).
         */
        public Builder agentApi(String url) {
            this.agentApi = url;
            return this;
        }

        /**
         * For {@link Role#SECONDARY}: the primary's API, for example {@code http://10.0.0.1:8080}.
         * Needed on first start (with an enrollment token issued with {@code --tag secondary}).
         */
        public Builder primaryApi(String url) {
            this.agentApi = url;
            return this;
        }

        /** For {@link Role#AGENT} and {@link Role#SECONDARY}: the single-use token to enroll with, when the state directory holds no identity yet. */
        public Builder enrollmentToken(String token) {
            this.enrollmentToken = token;
            return this;
        }

        /** The data plane's HTTP listener, {@code host:port}; port 0 takes a free port. */
        public Builder httpAddress(String hostPort) {
            this.config = config.withHttpAddr(io.tiyi.config.HostPort.parse(hostPort, "httpAddress"));
            return this;
        }

        /** The data plane's HTTPS listener, {@code host:port}; port 0 takes a free port. */
        public Builder httpsAddress(String hostPort) {
            this.config = config.withHttpsAddr(io.tiyi.config.HostPort.parse(hostPort, "httpsAddress"));
            return this;
        }

        /**
         * How this node reaches other nodes' APIs: identity by default. {@link TiyiCluster} maps each
         * URL to a TCP link it can cut, to stage partitions.
         */
        public Builder route(java.util.function.UnaryOperator<String> r) {
            this.route = Objects.requireNonNull(r);
            return this;
        }

        /** The role to run; {@link Role#PRIMARY} is the standalone node. */
        public Builder role(Role role) {
            this.role = Objects.requireNonNull(role);
            return this;
        }

        public TiyiNode build() {
            return new TiyiNode(this);
        }
    }

    /**
     * Starts the node and returns once it is ready.
     *
     * @throws TiyiException with a message that says what to fix; whatever was opened is closed again
     */
    public TiyiNode start() {
        try {
            checkDetectors();
            if (role == Role.AGENT) {
                doStartAgent();
            } else {
                doStart();
            }
            return this;
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Every role runs a data plane: one whose WAF cannot detect anything must not report ready. */
    private static void checkDetectors() {
        try {
            io.tiyi.waf.injection.Sqli.preload();
        } catch (IllegalStateException e) {
            throw new TiyiException("the WAF cannot load its detectors: " + e.getMessage() + "; the node does not start");
        }
    }

    private void doStart() {
        LOG.info("starting {} as {}", TiyiVersion.banner(), role.wireName());
        boolean freshSecondary = role == Role.SECONDARY && !java.nio.file.Files.exists(config.state().dir().resolve(StateStore.DB_FILE));
        if (freshSecondary) {
            Failover.bootstrapSecondary(config, agentApi, enrollmentToken, route, config.state().dir());
        }
        store = StateStore.open(config.state().dir());
        LOG.info("state: {}", store.dbFile());
        Optional<String> storedKek = store.storedKekFingerprint();
        kek = Kek.resolve(config.crypto().kekFile(), store.dir(), storedKek);
        int schema = store.migrate();
        LOG.info("state: schema version {}", schema);

        io.tiyi.cluster.ClusterStates states = new io.tiyi.cluster.ClusterStates(store);
        Optional<ClusterState> existing = Optional.ofNullable(states.current());
        if (freshSecondary) {
            cluster = states.becomeSecondary(UUID.randomUUID().toString());
            LOG.info("cluster: first boot from a snapshot of {}, node {} is secondary at epoch {}", agentApi, cluster.nodeId(), cluster.epoch());
        } else if (existing.isEmpty()) {
            cluster = states.init(UUID.randomUUID().toString(), role, 1, kek.fingerprint());
            LOG.info("cluster: first boot, node {} is {} at epoch {}", cluster.nodeId(), cluster.role().wireName(), cluster.epoch());
        } else {
            cluster = existing.get();
            LOG.info("cluster: node {} is {} at epoch {}{}", cluster.nodeId(), cluster.role().wireName(), cluster.epoch(),
                    cluster.readOnly() ? " (read-only)" : "");
            if (cluster.role() != role) {
                LOG.warn("cluster: started as {} but state.db says this node is {}; it runs as {} (the role is decided by promotions, not"
                        + " by the command line)", role.wireName(), cluster.role().wireName(), cluster.role().wireName());
            }
        }

        metrics = new TiyiMetrics();
        admin = new AdminServer(config.server().addr(), metrics, this::status);
        LOG.info("api: admin listener on {}", admin.url());

        pipeline = new MutationPipeline(store, new AuditChain(), states);
        failover = new Failover(config, store, pipeline, states, kek, route, () -> admin.address());
        Envelope envelope = new Envelope(kek);
        String signing = SigningKeys.ensure(store, pipeline, envelope);
        bundles = new io.tiyi.fleet.BundleService(() -> failover.cluster().epoch(), failover::controlPlaneEndpoints,
                SigningKeys.load(store, envelope), metrics.registry());
        fleet = new io.tiyi.fleet.Fleet(store, pipeline);
        metrics.registry().gauge("tiyi_agents_connected", () -> () -> fleet.connected(java.time.Duration.ofSeconds(30)));
        LOG.info("bundles: signing key {}", signing);

        users = new Users(store, pipeline);
        users.ensureBootstrapAdmin().ifPresent(pw -> {
            bootstrapPassword = pw;
            LOG.warn("bootstrap admin created: user '{}' password '{}' (shown once); log in and replace it with "
                    + "'tiyi users set-password --name {}' before going live", Users.BOOTSTRAP_ADMIN, pw, Users.BOOTSTRAP_ADMIN);
        });

        byte[] jwtSecret;
        Optional<String> configuredSecret = config.auth().jwtSecret();
        if (configuredSecret.isPresent()) {
            jwtSecret = configuredSecret.get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } else {
            jwtSecret = RandomTokens.bytes(32);
            LOG.warn("auth.jwt_secret is not set: using an ephemeral secret, so sessions will not survive a restart and "
                    + "replicas cannot share refresh tokens; set auth.jwt_secret or TIYI_AUTH_JWT_SECRET (32+ bytes)");
        }
        sessions = new Sessions(store, pipeline, new TokenService(jwtSecret), Clock.systemUTC());
        settings = new Settings(store, pipeline);
        sites = new Sites(store, pipeline);
        certificates = new Certificates(store, pipeline, envelope);
        events = new EventLog(store.dir().resolve("logs"), () -> Integer.parseInt(settings.value("logs.retention_days")),
                () -> Long.parseLong(settings.value("logs.max_bytes")));
        dataPlane = new DataPlane(metrics.registry(), events, config.proxy().httpAddr(), config.proxy().httpsAddr(), this::dataPlaneHealth,
                java.util.function.Function.identity());
        wafPolicies = new WafPolicies(store, pipeline);
        trust = new io.tiyi.sites.Trust(store, pipeline, settings, io.tiyi.sites.Trust.defaultHttpClient());
        alerts = new io.tiyi.alerts.Alerts(store, pipeline, () -> failover.notPrimaryReason() == null);
        if (failover.cluster().role() == Role.PRIMARY && !failover.cluster().readOnly()) {
            alerts.ensureSeeded();
        }
        siem = new io.tiyi.siem.SiemDispatcher(io.tiyi.siem.Origin.local(cluster.nodeId()), metrics.registry(),
                io.tiyi.siem.SiemDispatcher.DEFAULT_QUEUE);
        // Forwarding starts from this node's own settings, before its first bundle: audit and
        // alert events are the control plane's and need no data plane.
        siem.configure(RuntimeCompiler.siemConfig(settings));
        events.forwardTo(siem::offer);
        // A control-plane node's own settings are never older than a bundle its embedded agent
        // applies: configuring from the bundle could briefly undo a settings change committed
        // after that bundle was compiled (and drop the audit entry of that very change).
        dataPlane.onApply(cfg -> siem.configure(RuntimeCompiler.siemConfig(settings)));
        pipeline.onCommit(c -> {
            if (io.tiyi.settings.Settings.Set.KIND.equals(c.kind())) {
                // Before the bundle comes round: the entry of this very change goes out under it.
                siem.configure(RuntimeCompiler.siemConfig(settings));
                if (streams != null) {
                    streams.poke();
                }
            }
            // Only the node that accepted a mutation has its audit entry here; replicas replayed it.
            if (c.audit() != null) {
                events.offer(new io.tiyi.events.AuditLogEvent(c.ts(), c.seq(), c.actor(), c.audit().action(), c.audit().target(),
                        c.audit().details()));
            }
        });
        alerts.onFired(f -> events.offer(new io.tiyi.events.AlertEvent(f.firedAt(), f.id(), f.rule(), f.title(), f.count(), f.windowStart(),
                f.detail())));
        releases = new io.tiyi.release.Releases(store, pipeline, new io.tiyi.store.Blobs(store), fleet);
        bundles.commands(releases::commandsFor);
        for (io.tiyi.release.RolloutState st : io.tiyi.release.RolloutState.values()) {
            metrics.registry().gauge("tiyi.releases.agents." + st.wireName(), () -> () -> releases.targetsByState().get(st));
        }
        compiler = new RuntimeCompiler(store, sites, certificates, settings, wafPolicies, trust, pipeline::lastSeq, bundles::publish);
        bundles.publish(compiler.compile());
        pipeline.onCommit(c -> compiler.request());
        replication = new io.tiyi.cluster.ReplicationSource(store, pipeline);
        rpc = ControlPlaneApi.registry(store, sessions, users, settings, this::status, startedAt, sites, certificates, events, wafPolicies,
                compiler, fleet, bundles, actor -> {
                    String previous = io.tiyi.crypto.Ed25519KeyPair.fingerprint(bundles.signingKeyPublic());
                    String next = SigningKeys.rotate(actor, pipeline, envelope);
                    bundles.signingKey(SigningKeys.load(store, envelope));
                    agent.trustRotatedSigningKey(bundles.signingKeyPublic());
                    compiler.request();
                    LOG.warn("bundles: signing key rotated from {} to {}; every agent refuses new bundles until it is re-enrolled", previous,
                            next);
                    return new String[] {next, previous};
                }, failover::notPrimaryReason, (agentId, report) -> {
                    failover.onAgentReport(report);
                    if (failover.notPrimaryReason() == null) {
                        releases.onReport(agentId, report);
                    }
                    alerts.observe(io.tiyi.alerts.Alerts.KIND_ORIGIN_BYPASS, report.originBypassAttempts(), "agent " + agentId,
                            report.originBypassSample());
                }, replication, () -> failover.handover, failover::promote, trust, alerts, siem, releases,
                failover::resumeWrites);
        admin.mount("/rpc", new RpcHandler(rpc, sessions, credential -> fleet.authenticate(credential).map(io.tiyi.fleet.Fleet.Agent::id),
                failover::notPrimaryReason));
        admin.mount("/", new io.tiyi.api.WebUi(sessions, failover::notPrimaryReason));
        LocalAdminCredential local = LocalAdminCredential.write(store.dir(), localApiUrl(admin.address()));
        localAdmin = local;
        sessions.setLocalAdminToken(local.token());
        LOG.info("api: {} RPC methods; local admin credential in {}", rpc.all().size(), store.dir().resolve(LocalAdminCredential.FILE));

        // The node's own data plane is an agent like any other: enrolled once, fed signed bundles over the API.
        io.tiyi.agent.AgentFiles embedded = new io.tiyi.agent.AgentFiles(store.dir().resolve("agent"));
        agent = new io.tiyi.agent.AgentRuntime(embedded, dataPlane, metrics.registry());
        agent.route(route);
        agent.nodeApi(() -> failover.controlPlaneRole() ? failover.advertisedApi() : null);
        failover.attach(agent, bundles, fleet, compiler, local.api());
        cluster = failover.cluster();
        if (cluster.role() == Role.PRIMARY) {
            Runnable startEmbedded = () -> {
                String token = embedded.identity().isPresent() ? null
                        : fleet.issueToken("system", EMBEDDED_AGENT_TAG, java.time.Duration.ofMinutes(5)).token();
                agent.start(agent.enroll(local.api(), token));
            };
            if (cluster.readOnly() && embedded.identity().isEmpty()) {
                // Restored from a stream: enrolling the embedded agent is a change, and changes wait for resume-writes.
                LOG.warn("cluster: this node is a read-only primary whose data plane has no identity yet (restored without agent/); it"
                        + " serves no traffic until writes resume: tiyi system resume-writes --yes once no other primary serves");
                failover.onResumeWrites(startEmbedded);
            } else {
                startEmbedded.run();
            }
            failover.checkPeers();
            failover.startPeerWatch();
        } else {
            io.tiyi.agent.AgentFiles.Identity id = agent.enroll(cluster.role() == Role.SECONDARY ? agentApi : null, null);
            agent.start(id);
            if (cluster.role() == Role.SECONDARY) {
                failover.follow(id.api());
            } else {
                failover.followAsAgent(id.api());
            }
        }
        streams = new io.tiyi.backup.StreamControl(store, pipeline, settings, () -> failover.cluster(), metrics.registry()).start();
        phase = NodeStatus.Phase.READY;
        LOG.info("tiyi {} ready on {} (epoch {})", cluster.role().wireName(), admin.url(), cluster.epoch());
    }

    /**
     * An agent: no state.db and no API of its own; it enrolls (once), then runs its data plane
     * from signed bundles. With an admin address set it also serves {@code /healthz} and
     * {@code /metrics} there.
     */
    private void doStartAgent() {
        LOG.info("starting {} as agent", TiyiVersion.banner());
        java.nio.file.Path dir = config.state().dir();
        io.tiyi.agent.AgentFiles files = new io.tiyi.agent.AgentFiles(dir);
        metrics = new TiyiMetrics();
        if (agentAdminListener) {
            admin = new AdminServer(config.server().addr(), metrics, this::status);
            LOG.info("agent: health and metrics on {}", admin.url());
        }
        events = new EventLog(dir.resolve("logs"), () -> 14);
        dataPlane = new DataPlane(metrics.registry(), events, config.proxy().httpAddr(), config.proxy().httpsAddr(), this::dataPlaneHealth,
                java.util.function.Function.identity());
        agent = new io.tiyi.agent.AgentRuntime(files, dataPlane, metrics.registry());
        agent.route(route);
        if (onRestart != null) {
            agent.onRestart(onRestart);
        }
        io.tiyi.agent.AgentFiles.Identity id = agent.enroll(agentApi, enrollmentToken);
        siem = new io.tiyi.siem.SiemDispatcher(io.tiyi.siem.Origin.local(id.agentId()), metrics.registry(),
                io.tiyi.siem.SiemDispatcher.DEFAULT_QUEUE);
        events.forwardTo(siem::offer);
        // Unlike the agent embedded in a control-plane node, this one's events are in no console's log.
        agent.shipSecurityEvents(events);
        dataPlane.onApply(cfg -> siem.configure(cfg.siem()));
        agent.start(id);
        phase = NodeStatus.Phase.READY;
        LOG.info("tiyi agent {} ready (control plane {})", id.agentId(), id.api());
    }

    /** The cluster state: the role's once it runs, the one read at start before. */
    private ClusterState clusterState() {
        Failover f = failover;
        return f != null ? f.cluster() : cluster;
    }

    /** For failover drills: a held secondary stops pulling the primary's log until released. */
    void holdReplication(boolean hold) {
        failover.holdReplication(hold);
    }

    /** This node's SIEM dispatcher, once started. */
    public Optional<io.tiyi.siem.SiemDispatcher> siem() {
        return Optional.ofNullable(siem);
    }

    /** The agent runtime, for {@link Role#AGENT}. */
    public Optional<io.tiyi.agent.AgentRuntime> agent() {
        return Optional.ofNullable(agent);
    }

    /** What {@code /healthz} reports now. */
    public NodeStatus status() {
        if (role == Role.AGENT) {
            long[] v = agent == null ? new long[] {0, 0} : agent.appliedVersion();
            return new NodeStatus(phase, Role.AGENT.wireName(), v[0], true, v[1], agent == null || agent.agentId() == null ? "" : agent.agentId(),
                    -1, agentApi);
        }
        ClusterState cs = clusterState();
        long seq = pipeline == null ? 0 : pipeline.lastSeq();
        Failover f = failover;
        boolean following = cs != null && cs.role() == Role.SECONDARY && f != null;
        return new NodeStatus(phase, cs == null ? role.wireName() : cs.role().wireName(), cs == null ? 0 : cs.epoch(),
                cs != null && cs.readOnly(), seq, cs == null ? "" : cs.nodeId(), following ? f.lag(seq) : -1,
                cs == null || f == null || cs.role() == Role.PRIMARY && !cs.readOnly() ? null : f.primaryApi());
    }

    /**
     * A client of this node's RPC API with the node's local admin credential: what the CLI on
     * the node's host uses, and what a host application or test uses to configure it.
     */
    public io.tiyi.client.TiyiClient client() {
        LocalAdminCredential c = localAdmin;
        if (c == null) {
            throw new IllegalStateException("the node is not started");
        }
        return io.tiyi.client.TiyiClient.of(c.api(), c.token());
    }

    /** The admin API base URL, for example {@code http://127.0.0.1:8080}. */
    public String adminUrl() {
        return admin.url();
    }

    /** The role this node runs now. */
    public Role role() {
        ClusterState cs = clusterState();
        return cs == null ? role : cs.role();
    }

    /** The fencing epoch this node holds. */
    public long epoch() {
        ClusterState cs = clusterState();
        return cs == null ? 0 : cs.epoch();
    }

    /** The static configuration it was started with. */
    public TiyiConfig config() {
        return config;
    }

    /** The password of the bootstrap admin when this start created it, else empty. */
    public Optional<String> bootstrapPassword() {
        return Optional.ofNullable(bootstrapPassword);
    }

    /** The admin URL a client on this host uses: a wildcard bind address becomes loopback. */
    static String localApiUrl(InetSocketAddress bound) {
        java.net.InetAddress a = bound.getAddress();
        String host;
        if (a.isAnyLocalAddress()) {
            host = a instanceof java.net.Inet6Address ? "[::1]" : "127.0.0.1";
        } else {
            host = a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        }
        return "http://" + host + ":" + bound.getPort();
    }

    private java.util.Map<String, Object> dataPlaneHealth() {
        NodeStatus s = status();
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        boolean ready = s.phase() == NodeStatus.Phase.READY;
        m.put("status", ready ? "ok" : "unavailable");
        m.put("ready", ready);
        m.put("role", s.role());
        m.put("epoch", s.epoch());
        m.put("runtime_version", dataPlane == null || dataPlane.current() == null ? 0 : dataPlane.current().version());
        m.put("version", TiyiVersion.version());
        return m;
    }

    /** The version (mutation seq) of the configuration the data plane runs. */
    public long runtimeVersion() {
        return dataPlane == null || dataPlane.current() == null ? 0 : dataPlane.current().version();
    }

    /**
     * Waits until the data plane runs the configuration of every mutation committed before the
     * call (configuration is compiled and swapped in asynchronously after a commit).
     *
     * @return false if it did not within {@code timeout}
     */
    public boolean awaitDataPlane(java.time.Duration timeout) throws InterruptedException {
        long seq = pipeline.lastSeq();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (runtimeVersion() < seq) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** The data plane's HTTP listener. */
    public java.net.InetSocketAddress httpAddress() {
        return dataPlane.httpAddress().orElseThrow();
    }

    /** The data plane's HTTPS listener, while one is open. */
    public Optional<java.net.InetSocketAddress> httpsAddress() {
        return dataPlane.httpsAddress();
    }

    /** The node's event log. */
    public EventLog events() {
        return events;
    }

    /** Sites. */
    public Sites sites() {
        return sites;
    }

    /** Every RPC method this node serves. */
    public RpcRegistry rpcRegistry() {
        return rpc;
    }

    /** Runtime settings. */
    public Settings settings() {
        return settings;
    }

    /** Accounts. */
    public Users users() {
        return users;
    }

    StateStore store() {
        return store;
    }

    MutationPipeline pipeline() {
        return pipeline;
    }

    /** Stops the node: the listener drains, pending mutations commit, state.db closes. */
    @Override
    public void close() {
        if (phase == NodeStatus.Phase.STOPPING) {
            return;
        }
        phase = NodeStatus.Phase.STOPPING;
        LOG.info("stopping tiyi");
        closeQuietly();
        LOG.info("tiyi stopped");
    }

    /**
     * Stops at once, as close to a killed process as a JVM allows: listeners close without
     * draining, in-flight requests are cut. Committed state is safe (SQLite's journal); for
     * {@link TiyiCluster}'s failure tests.
     */
    void halt() {
        if (phase == NodeStatus.Phase.STOPPING) {
            return;
        }
        LOG.info("halting tiyi");
        drainMs = 0;
        closeQuietly();
    }

    private volatile long drainMs = 10_000;

    private void closeQuietly() {
        phase = NodeStatus.Phase.STOPPING;
        if (failover != null) {
            failover.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (replication != null) {
            replication.close();
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
            admin = null;
        }
        if (store != null && sessions != null) {
            LocalAdminCredential.delete(store.dir());
        }
        if (streams != null) {
            streams.close();
            streams = null;
        }
        if (compiler != null) {
            compiler.close();
            compiler = null;
        }
        if (dataPlane != null) {
            dataPlane.close(drainMs);
            dataPlane = null;
        }
        if (events != null) {
            events.close();
            events = null;
        }
        if (siem != null) {
            siem.close();
            siem = null;
        }
        if (pipeline != null) {
            pipeline.close();
            pipeline = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
    }
}
