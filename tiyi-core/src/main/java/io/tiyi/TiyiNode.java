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
import io.tiyi.bundle.SigningKeys;
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
    private io.tiyi.bundle.Fleet fleet;
    private io.tiyi.bundle.BundleService bundles;
    private io.tiyi.agent.AgentRuntime agent;
    private io.tiyi.cluster.ReplicationSource replication;
    private volatile String primaryApi;
    private volatile io.tiyi.cluster.Replicator replicator;
    private java.util.concurrent.ScheduledExecutorService peerWatch;
    private final Object roleLock = new Object();

    private TiyiNode(Builder b) {
        this.config = b.config;
        this.role = b.role;
        this.agentApi = b.agentApi;
        this.enrollmentToken = b.enrollmentToken;
        this.agentAdminListener = b.adminAddressSet;
        this.route = b.route;
    }

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

        private Builder() {}

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

    private void doStart() {
        LOG.info("starting {} as {}", TiyiVersion.banner(), role.wireName());
        boolean freshSecondary = role == Role.SECONDARY && !java.nio.file.Files.exists(config.state().dir().resolve(StateStore.DB_FILE));
        if (freshSecondary) {
            bootstrapSecondary(config.state().dir());
        }
        store = StateStore.open(config.state().dir());
        LOG.info("state: {}", store.dbFile());
        Optional<String> storedKek = store.storedKekFingerprint();
        kek = Kek.resolve(config.crypto().kekFile(), store.dir(), storedKek);
        int schema = store.migrate();
        LOG.info("state: schema version {}", schema);

        Optional<ClusterState> existing = store.clusterState();
        if (freshSecondary) {
            cluster = store.becomeSecondary(UUID.randomUUID().toString());
            LOG.info("cluster: first boot from a snapshot of {}, node {} is secondary at epoch {}", agentApi, cluster.nodeId(), cluster.epoch());
        } else if (existing.isEmpty()) {
            cluster = store.initClusterState(UUID.randomUUID().toString(), role, 1, kek.fingerprint());
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

        pipeline = new MutationPipeline(store, new AuditChain());
        pipeline.onCommit(c -> store.clusterState().ifPresent(cs -> cluster = cs));
        Envelope envelope = new Envelope(kek);
        String signing = SigningKeys.ensure(store, pipeline, envelope);
        bundles = new io.tiyi.bundle.BundleService(() -> cluster.epoch(), this::controlPlaneEndpoints,
                SigningKeys.load(store, envelope), metrics.registry());
        fleet = new io.tiyi.bundle.Fleet(store, pipeline);
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
        events = new EventLog(store.dir().resolve("logs"), () -> Integer.parseInt(settings.value("logs.retention_days")));
        dataPlane = new DataPlane(metrics.registry(), events, config.proxy().httpAddr(), config.proxy().httpsAddr(), this::dataPlaneHealth,
                java.util.function.Function.identity());
        wafPolicies = new WafPolicies(store, pipeline);
        compiler = new RuntimeCompiler(store, sites, certificates, settings, wafPolicies, pipeline::lastSeq, bundles::publish);
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
                }, this::notPrimaryReason, this::onAgentReport, replication, () -> replicationControl, this::promote);
        admin.mount("/rpc", new RpcHandler(rpc, sessions, credential -> fleet.authenticate(credential).map(io.tiyi.bundle.Fleet.Agent::id),
                this::notPrimaryReason));
        LocalAdminCredential local = LocalAdminCredential.write(store.dir(), localApiUrl(admin.address()));
        localAdmin = local;
        sessions.setLocalAdminToken(local.token());
        LOG.info("api: {} RPC methods; local admin credential in {}", rpc.all().size(), store.dir().resolve(LocalAdminCredential.FILE));

        // The node's own data plane is an agent like any other: enrolled once, fed signed bundles over the API.
        io.tiyi.agent.AgentFiles embedded = new io.tiyi.agent.AgentFiles(store.dir().resolve("agent"));
        agent = new io.tiyi.agent.AgentRuntime(embedded, dataPlane, metrics.registry());
        agent.route(route);
        agent.nodeApi(() -> controlPlaneRole() ? advertisedApi() : null);
        cluster = store.clusterState().orElseThrow();
        if (cluster.role() == Role.PRIMARY) {
            String token = embedded.identity().isPresent() ? null
                    : fleet.issueToken("system", EMBEDDED_AGENT_TAG, java.time.Duration.ofMinutes(5)).token();
            agent.start(agent.enroll(local.api(), token));
            checkPeers();
            startPeerWatch();
        } else {
            io.tiyi.agent.AgentFiles.Identity id = agent.enroll(cluster.role() == Role.SECONDARY ? agentApi : null, null);
            agent.start(id);
            if (cluster.role() == Role.SECONDARY) {
                primaryApi = id.api();
                startReplicator();
            } else {
                primaryApi = id.api();
                LOG.warn("cluster: this node was demoted to agent-only; it proxies with bundles from {} and takes no changes", id.api());
            }
        }
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
        io.tiyi.agent.AgentFiles.Identity id = agent.enroll(agentApi, enrollmentToken);
        agent.start(id);
        phase = NodeStatus.Phase.READY;
        LOG.info("tiyi agent {} ready (control plane {})", id.agentId(), id.api());
    }

    // ---- High availability: secondary bootstrap, replication, handover, fencing ----

    /** Serves this node's side of replication and handover to its peers. */
    private final io.tiyi.cluster.Handover replicationControl = new io.tiyi.cluster.Handover() {
        @Override
        public PeerStatus status() {
            ClusterState cs = cluster;
            return new PeerStatus(cs.role().wireName(), cs.epoch(), cs.readOnly(), pipeline.lastSeq(), advertisedApi());
        }

        @Override
        public String kekFingerprint() {
            return kek.fingerprint();
        }

        @Override
        public Demoted demote(String newPrimaryApi) {
            synchronized (roleLock) {
                ClusterState cs = cluster;
                if (cs.role() != Role.PRIMARY) {
                    throw TiyiException.failedPrecondition("this node is " + cs.role().wireName() + ", not the primary; nothing to demote");
                }
                // On the writer thread: every mutation submitted before commits, every later one is refused.
                long last = pipeline.onWriter(() -> {
                    store.setReadOnly(true);
                    return pipeline.lastSeq();
                });
                cluster = store.clusterState().orElseThrow();
                primaryApi = newPrimaryApi;
                LOG.warn("cluster: demoted to read-only at epoch {} (last seq {}) for a promotion of {}; mutations are refused", cs.epoch(), last,
                        newPrimaryApi);
                return new Demoted(cs.epoch(), last);
            }
        }

        @Override
        public void undemote() {
            synchronized (roleLock) {
                ClusterState cs = cluster;
                if (cs.role() == Role.PRIMARY && cs.readOnly()) {
                    pipeline.onWriter(() -> {
                        store.setReadOnly(false);
                        return null;
                    });
                    cluster = store.clusterState().orElseThrow();
                    primaryApi = null;
                    LOG.warn("cluster: the promotion was aborted; this node is the read-write primary at epoch {} again", cs.epoch());
                }
            }
        }

        @Override
        public void promoted(long epoch, String api) {
            becomeAgentOf(api, epoch, "the promotion of " + api + " finished");
        }
    };

    /**
     * The API URL other nodes reach this one at: {@code server.advertise_url}; else the admin
     * listener's address; else, when that is a wildcard, this host's first site-local IPv4 address
     * (or its name).
     */
    private String advertisedApi() {
        Optional<String> configured = config.server().advertiseUrl();
        if (configured.isPresent()) {
            return configured.get();
        }
        InetSocketAddress bound = admin.address();
        if (!bound.getAddress().isAnyLocalAddress()) {
            return localApiUrl(bound);
        }
        return "http://" + hostAddress() + ":" + bound.getPort();
    }

    private static String hostAddress() {
        try {
            for (java.net.NetworkInterface ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (java.net.InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address && a.isSiteLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "127.0.0.1";
        }
    }

    /** A client of another node's API, reached through {@link Builder#route}. */
    private io.tiyi.client.TiyiClient peer(String url, String credential, java.time.Duration timeout) {
        return io.tiyi.client.TiyiClient.of(route.apply(url), credential, timeout);
    }

    /** Why this node takes no mutations now, with where to send them; null when it is the read-write primary. */
    private String notPrimaryReason() {
        ClusterState cs = cluster;
        if (cs == null || cs.role() == Role.PRIMARY && !cs.readOnly()) {
            return null;
        }
        String where = primaryApi == null ? "the current primary" : "the primary at " + primaryApi;
        return "not primary: this node is " + cs.role().wireName() + (cs.readOnly() ? " (read-only)" : "") + " at epoch " + cs.epoch()
                + "; send changes to " + where;
    }

    private boolean controlPlaneRole() {
        ClusterState cs = cluster;
        return cs != null && (cs.role() == Role.PRIMARY || cs.role() == Role.SECONDARY);
    }

    /** This node and the other control-plane nodes that reported lately (their embedded agents tell their API). */
    private java.util.List<String> controlPlaneEndpoints() {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
        if (admin != null) {
            all.add(advertisedApi());
        }
        if (fleet != null) {
            long since = System.currentTimeMillis() - 60_000;
            for (io.tiyi.bundle.Fleet.Agent a : fleet.agents()) {
                fleet.lastReport(a.id()).filter(r -> r.at() >= since && r.report().nodeApi() != null && !a.revoked())
                        .ifPresent(r -> all.add(r.report().nodeApi()));
            }
        }
        return new java.util.ArrayList<>(all);
    }

    /** Fencing: an agent that has seen a higher epoch than this primary's means a newer primary exists. */
    private void onAgentReport(io.tiyi.bundle.AgentReport r) {
        ClusterState cs = cluster;
        if (cs != null && cs.role() == Role.PRIMARY && r.epochSeen() > cs.epoch() && r.following() != null && localAdmin != null
                && !r.following().equals(localAdmin.api()) && !r.following().equals(advertisedApi())) {
            becomeAgentOf(r.following(), r.epochSeen(), "an agent reports epoch " + r.epochSeen() + " from " + r.following());
        }
    }

    /** Asks every known peer for its role; one that is a read-write primary at a higher epoch replaces this node. */
    private void checkPeers() {
        ClusterState cs = cluster;
        if (cs == null || cs.role() != Role.PRIMARY || agent == null) {
            return;
        }
        io.tiyi.agent.AgentFiles.Identity id = agent.identity();
        if (id == null) {
            return;
        }
        java.util.LinkedHashSet<String> peers = new java.util.LinkedHashSet<>(agent.knownEndpoints());
        peers.addAll(controlPlaneEndpoints());
        peers.remove(localAdmin.api());
        peers.remove(advertisedApi());
        for (String url : peers) {
            try {
                com.fasterxml.jackson.databind.JsonNode st = peer(url, id.credential(), java.time.Duration.ofSeconds(3))
                        .call("ReplicationService", "Status", java.util.Map.of());
                long epoch = st.path("epoch").asLong();
                if ("primary".equals(st.path("role").asText()) && !st.path("read_only").asBoolean() && epoch > cluster.epoch()) {
                    becomeAgentOf(url, epoch, "peer " + url + " is the primary at epoch " + epoch);
                    return;
                }
            } catch (RuntimeException e) {
                LOG.debug("cluster: peer {} did not answer: {}", url, e.getMessage());
            }
        }
    }

    private void startPeerWatch() {
        if (peerWatch != null) {
            return;
        }
        peerWatch = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tiyi-peer-watch");
            t.setDaemon(true);
            return t;
        });
        peerWatch.scheduleWithFixedDelay(() -> {
            try {
                checkPeers();
            } catch (RuntimeException e) {
                LOG.debug("cluster: peer check failed: {}", e.toString());
            }
        }, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * Steps down for good: a newer primary exists. The node refuses every mutation from now on
     * (also after a restart: the role is persisted), and its data plane follows the new primary.
     */
    private void becomeAgentOf(String api, long epoch, String why) {
        synchronized (roleLock) {
            ClusterState cs = cluster;
            if (cs.role() == Role.AGENT || epoch <= cs.epoch()) {
                return;
            }
            pipeline.onWriter(() -> {
                store.setReadOnly(true);
                store.setRoleAndEpoch(Role.AGENT, cs.epoch());
                return null;
            });
            cluster = store.clusterState().orElseThrow();
            primaryApi = api;
            if (replicator != null) {
                replicator.close();
                replicator = null;
            }
            if (peerWatch != null) {
                peerWatch.shutdownNow();
                peerWatch = null;
            }
            bundles.close();
            agent.moveTo(api);
            LOG.warn("cluster: this node (epoch {}) is now agent-only because {}; it takes no changes and proxies with bundles from {}",
                    cs.epoch(), why, api);
        }
    }

    /** Enrolls a new secondary, checks its KEK against the primary's and restores the primary's snapshot into {@code dir}. */
    private void bootstrapSecondary(java.nio.file.Path dir) {
        if (agentApi == null) {
            throw TiyiException.invalid("a new secondary needs --primary-api URL and --enrollment-token TOKEN (tiyi agents issue-token --tag"
                    + " secondary on the primary)");
        }
        java.nio.file.Path kekFile = config.crypto().kekFile().orElse(dir.resolve(Kek.FALLBACK_FILE));
        if (!java.nio.file.Files.exists(kekFile)) {
            throw new TiyiException("a secondary must hold the primary's KEK, and " + kekFile + " does not exist: copy the primary's KEK file"
                    + " there (mode 0600) or set crypto.kek_file to a copy of it; nothing was changed");
        }
        Kek local = Kek.load(kekFile);
        io.tiyi.agent.AgentFiles files = new io.tiyi.agent.AgentFiles(dir.resolve("agent"));
        io.tiyi.agent.AgentRuntime enrolling = new io.tiyi.agent.AgentRuntime(files, null, new com.codahale.metrics.MetricRegistry());
        enrolling.route(route);
        io.tiyi.agent.AgentFiles.Identity id = enrolling.enroll(agentApi, enrollmentToken);
        if (!"secondary".equals(id.tag())) {
            throw TiyiException.invalid("the enrollment token was issued with tag '" + id.tag() + "'; a secondary needs one issued with"
                    + " --tag secondary. This state directory now holds an agent identity: empty it and start again with a new token");
        }
        com.fasterxml.jackson.databind.JsonNode snap = peer(agentApi, id.credential(), java.time.Duration.ofMinutes(5))
                .call("ReplicationService", "Snapshot", java.util.Map.of());
        String theirs = snap.get("kek_fingerprint").asText();
        if (!theirs.equals(local.fingerprint())) {
            throw new TiyiException("KEK mismatch: the primary's KEK is " + theirs + " but " + kekFile + " is " + local.fingerprint()
                    + "; copy the primary's KEK file to " + kekFile + " (mode 0600) and start again (nothing was restored)");
        }
        byte[] db = java.util.Base64.getDecoder().decode(snap.get("db").asText());
        try {
            java.nio.file.Path tmp = dir.resolve(StateStore.DB_FILE + ".restore");
            java.nio.file.Files.write(tmp, db);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            java.nio.file.Files.move(tmp, dir.resolve(StateStore.DB_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new TiyiException("cannot write the primary's snapshot into " + dir + ": " + e.getMessage());
        }
        LOG.info("cluster: restored a snapshot of {} at seq {} ({} bytes)", agentApi, snap.get("seq").asLong(), db.length);
    }

    private void startReplicator() {
        String credential = agent.identity().credential();
        replicator = new io.tiyi.cluster.Replicator(pipeline, () -> primaryApi,
                url -> peer(url, credential, java.time.Duration.ofSeconds(60))).start();
    }

    /**
     * Promotes this secondary (ARCHITECTURE §8): demote the primary (it turns read-only and says
     * its epoch and last seq), catch up to that seq, take epoch + 1, accept mutations, and tell the
     * old primary, whose data plane then follows this node. With {@code force} the old primary is
     * not asked: mutations it committed after the last one replicated here are lost.
     */
    private io.tiyi.cluster.Handover.Promoted promote(boolean force) {
        synchronized (roleLock) {
            long started = System.nanoTime();
            ClusterState cs = cluster;
            if (cs.role() != Role.SECONDARY) {
                throw TiyiException.failedPrecondition("this node is " + cs.role().wireName() + " at epoch " + cs.epoch()
                        + "; tiyi promote runs on a secondary");
            }
            io.tiyi.agent.AgentFiles.Identity id = agent.identity();
            io.tiyi.client.TiyiClient old = peer(primaryApi, id.credential(), java.time.Duration.ofSeconds(10));
            long previousEpoch = cs.epoch();
            String lost = "";
            if (!force) {
                com.fasterxml.jackson.databind.JsonNode d;
                try {
                    d = old.call("SystemService", "Demote", java.util.Map.of("new_primary_api", advertisedApi()));
                } catch (RuntimeException e) {
                    throw TiyiException.failedPrecondition("cannot demote the primary at " + primaryApi + ": " + e.getMessage()
                            + ". Nothing changed: this node is still a secondary at epoch " + cs.epoch() + " with seq " + pipeline.lastSeq()
                            + ". If the primary is down for good, run tiyi promote --force (mutations after seq " + pipeline.lastSeq()
                            + " would be lost)");
                }
                previousEpoch = d.get("epoch").asLong();
                long target = d.get("last_seq").asLong();
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                while (pipeline.lastSeq() < target && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                if (pipeline.lastSeq() < target) {
                    String state;
                    try {
                        old.call("ReplicationService", "Undemote", java.util.Map.of());
                        state = "the primary at " + primaryApi + " is read-write again at epoch " + previousEpoch + " with seq " + target;
                    } catch (RuntimeException e) {
                        state = "the primary at " + primaryApi + " could not be returned to read-write (" + e.getMessage()
                                + "); it is read-only at epoch " + previousEpoch + " with seq " + target
                                + ": retry tiyi promote, or restart it to make it read-write";
                    }
                    throw TiyiException.failedPrecondition("promotion aborted: this node reached seq " + pipeline.lastSeq() + " of " + target
                            + " within 10 s. It is still a secondary at epoch " + cs.epoch() + "; " + state);
                }
            } else {
                lost = "promoted without the old primary: mutations it committed after seq " + pipeline.lastSeq()
                        + " (the last replicated here) are lost; ";
            }
            replicator.close();
            replicator = null;
            long epoch = previousEpoch + 1;
            pipeline.onWriter(() -> {
                store.setRoleAndEpoch(Role.PRIMARY, epoch);
                store.setReadOnly(false);
                return null;
            });
            pipeline.grantEpoch(epoch);
            cluster = store.clusterState().orElseThrow();
            String oldApi = primaryApi;
            primaryApi = null;
            agent.moveTo(localAdmin.api());
            compiler.request();
            startPeerWatch();
            if (!force) {
                try {
                    old.call("ReplicationService", "Promoted", java.util.Map.of("epoch", epoch, "primary_api", advertisedApi()));
                } catch (RuntimeException e) {
                    LOG.warn("cluster: the old primary at {} did not take the news ({}); it demotes itself when it sees epoch {}", oldApi,
                            e.getMessage(), epoch);
                }
            }
            long took = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            String message = lost + "this node is the primary at epoch " + epoch + " with seq " + pipeline.lastSeq() + " (took " + took + " ms)";
            LOG.warn("cluster: promoted: {}", message);
            return new io.tiyi.cluster.Handover.Promoted(epoch, previousEpoch, pipeline.lastSeq(), force, took, message);
        }
    }

    /** For failover drills: a held secondary stops pulling the primary's log until released. */
    void holdReplication(boolean hold) {
        replicator.hold(hold);
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
        ClusterState cs = cluster;
        long seq = pipeline == null ? 0 : pipeline.lastSeq();
        boolean following = cs != null && cs.role() == Role.SECONDARY;
        io.tiyi.cluster.Replicator r = replicator;
        long primarySeq = r == null ? -1 : r.primaryLastSeq();
        long lag = following && primarySeq >= 0 ? Math.max(0, primarySeq - seq) : following ? -1 : 0;
        return new NodeStatus(phase, cs == null ? role.wireName() : cs.role().wireName(), cs == null ? 0 : cs.epoch(),
                cs != null && cs.readOnly(), seq, cs == null ? "" : cs.nodeId(), following && lag < 0 ? -1 : following ? lag : -1,
                cs == null || cs.role() == Role.PRIMARY && !cs.readOnly() ? null : primaryApi);
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
        return cluster == null ? role : cluster.role();
    }

    /** The fencing epoch this node holds. */
    public long epoch() {
        return cluster == null ? 0 : cluster.epoch();
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
        if (replicator != null) {
            replicator.close();
        }
        if (peerWatch != null) {
            peerWatch.shutdownNow();
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
