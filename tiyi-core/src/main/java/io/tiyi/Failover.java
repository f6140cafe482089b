package io.tiyi;

import io.tiyi.cluster.ClusterState;
import io.tiyi.cluster.Handover;
import io.tiyi.cluster.Role;
import io.tiyi.config.TiyiConfig;
import io.tiyi.crypto.Kek;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A control-plane node's role in the cluster (ARCHITECTURE §8): what it tells its peers, when it
 * takes mutations, the secondary's bootstrap and replication, the two-phase promotion, and the
 * step down to agent-only when a newer primary exists (fencing by epoch). It owns the node's
 * {@link ClusterState}; every change of role goes through the state writer, between mutations.
 */
final class Failover implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Failover.class);

    private final TiyiConfig config;
    private final StateStore store;
    private final MutationPipeline pipeline;
    private final Kek kek;
    private final java.util.function.UnaryOperator<String> route;
    private final java.util.function.Supplier<InetSocketAddress> adminAddress;
    private final Object roleLock = new Object();
    private final io.tiyi.cluster.ClusterStates states;
    private volatile String primaryApi;
    private volatile io.tiyi.cluster.Replicator replicator;
    private java.util.concurrent.ScheduledExecutorService peerWatch;
    private io.tiyi.agent.AgentRuntime agent;
    private io.tiyi.fleet.BundleService bundles;
    private io.tiyi.fleet.Fleet fleet;
    private io.tiyi.sites.RuntimeCompiler compiler;
    private volatile String localApi;

    Failover(TiyiConfig config, StateStore store, MutationPipeline pipeline, io.tiyi.cluster.ClusterStates states, Kek kek,
            java.util.function.UnaryOperator<String> route, java.util.function.Supplier<InetSocketAddress> adminAddress) {
        this.config = config;
        this.store = store;
        this.pipeline = pipeline;
        this.kek = kek;
        this.route = route;
        this.adminAddress = adminAddress;
        this.states = states;
    }

    /** The parts of the node that exist only once its API is up: its data plane's agent, bundles, fleet, compiler and local API URL. */
    void attach(io.tiyi.agent.AgentRuntime agent, io.tiyi.fleet.BundleService bundles, io.tiyi.fleet.Fleet fleet,
            io.tiyi.sites.RuntimeCompiler compiler, String localApi) {
        this.agent = agent;
        this.bundles = bundles;
        this.fleet = fleet;
        this.compiler = compiler;
        this.localApi = localApi;
    }

    ClusterState cluster() {
        return states.current();
    }

    /** The primary this node follows (a secondary) or was replaced by (agent-only); null on the read-write primary. */
    String primaryApi() {
        return primaryApi;
    }

    /** Seq the replicated primary is ahead of {@code seq}, -1 before the first answer; 0 when not replicating. */
    long lag(long seq) {
        io.tiyi.cluster.Replicator r = replicator;
        long primarySeq = r == null ? -1 : r.primaryLastSeq();
        return primarySeq >= 0 ? Math.max(0, primarySeq - seq) : -1;
    }

    /** A secondary starts following {@code api}. */
    void follow(String api) {
        primaryApi = api;
        startReplicator();
    }

    /** An agent-only node proxies with bundles from {@code api}. */
    void followAsAgent(String api) {
        primaryApi = api;
        LOG.warn("cluster: this node was demoted to agent-only; it proxies with bundles from {} and takes no changes", api);
    }

    @Override
    public void close() {
        if (replicator != null) {
            replicator.close();
        }
        if (peerWatch != null) {
            peerWatch.shutdownNow();
        }
    }

    /** Serves this node's side of replication and handover to its peers. */
    final Handover handover = new Handover() {
        @Override
        public PeerStatus status() {
            ClusterState cs = states.current();
            return new PeerStatus(cs.role().wireName(), cs.epoch(), cs.readOnly(), pipeline.lastSeq(), advertisedApi());
        }

        @Override
        public String kekFingerprint() {
            return kek.fingerprint();
        }

        @Override
        public Demoted demote(String newPrimaryApi) {
            synchronized (roleLock) {
                ClusterState cs = states.current();
                if (cs.role() != Role.PRIMARY) {
                    throw TiyiException.failedPrecondition("this node is " + cs.role().wireName() + ", not the primary; nothing to demote");
                }
                // On the writer thread: every mutation submitted before commits, every later one is refused.
                long last = pipeline.onWriter(() -> {
                    states.setReadOnly(true);
                    return pipeline.lastSeq();
                });
                primaryApi = newPrimaryApi;
                LOG.warn("cluster: demoted to read-only at epoch {} (last seq {}) for a promotion of {}; mutations are refused", cs.epoch(), last,
                        newPrimaryApi);
                return new Demoted(cs.epoch(), last);
            }
        }

        @Override
        public void undemote() {
            synchronized (roleLock) {
                ClusterState cs = states.current();
                if (cs.role() == Role.PRIMARY && cs.readOnly()) {
                    pipeline.onWriter(() -> {
                        states.setReadOnly(false);
                        return null;
                    });
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
    String advertisedApi() {
        Optional<String> configured = config.server().advertiseUrl();
        if (configured.isPresent()) {
            return configured.get();
        }
        InetSocketAddress bound = adminAddress.get();
        if (!bound.getAddress().isAnyLocalAddress()) {
            return TiyiNode.localApiUrl(bound);
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
    String notPrimaryReason() {
        ClusterState cs = states.current();
        if (cs == null || cs.role() == Role.PRIMARY && !cs.readOnly()) {
            return null;
        }
        String where = primaryApi == null ? "the current primary" : "the primary at " + primaryApi;
        return "not primary: this node is " + cs.role().wireName() + (cs.readOnly() ? " (read-only)" : "") + " at epoch " + cs.epoch()
                + "; send changes to " + where;
    }

    boolean controlPlaneRole() {
        ClusterState cs = states.current();
        return cs != null && (cs.role() == Role.PRIMARY || cs.role() == Role.SECONDARY);
    }

    /** This node and the other control-plane nodes that reported lately (their embedded agents tell their API). */
    java.util.List<String> controlPlaneEndpoints() {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
        all.add(advertisedApi());
        if (fleet != null) {
            long since = System.currentTimeMillis() - 60_000;
            for (io.tiyi.fleet.Fleet.Agent a : fleet.agents()) {
                fleet.lastReport(a.id()).filter(r -> r.at() >= since && r.report().nodeApi() != null && !a.revoked())
                        .ifPresent(r -> all.add(r.report().nodeApi()));
            }
        }
        return new java.util.ArrayList<>(all);
    }

    /** Fencing: an agent that has seen a higher epoch than this primary's means a newer primary exists. */
    void onAgentReport(io.tiyi.bundle.AgentReport r) {
        ClusterState cs = states.current();
        if (cs != null && cs.role() == Role.PRIMARY && r.epochSeen() > cs.epoch() && r.following() != null && localApi != null
                && !r.following().equals(localApi) && !r.following().equals(advertisedApi())) {
            becomeAgentOf(r.following(), r.epochSeen(), "an agent reports epoch " + r.epochSeen() + " from " + r.following());
        }
    }

    /** Asks every known peer for its role; one that is a read-write primary at a higher epoch replaces this node. */
    void checkPeers() {
        ClusterState cs = states.current();
        if (cs == null || cs.role() != Role.PRIMARY || agent == null) {
            return;
        }
        io.tiyi.agent.AgentFiles.Identity id = agent.identity();
        if (id == null) {
            return;
        }
        java.util.LinkedHashSet<String> peers = new java.util.LinkedHashSet<>(agent.knownEndpoints());
        peers.addAll(controlPlaneEndpoints());
        peers.remove(localApi);
        peers.remove(advertisedApi());
        for (String url : peers) {
            try {
                com.fasterxml.jackson.databind.JsonNode st = peer(url, id.credential(), java.time.Duration.ofSeconds(3))
                        .call("ReplicationService", "Status", java.util.Map.of());
                long epoch = st.path("epoch").asLong();
                if ("primary".equals(st.path("role").asText()) && !st.path("read_only").asBoolean() && epoch > states.current().epoch()) {
                    becomeAgentOf(url, epoch, "peer " + url + " is the primary at epoch " + epoch);
                    return;
                }
            } catch (RuntimeException e) {
                LOG.debug("cluster: peer {} did not answer: {}", url, e.getMessage());
            }
        }
    }

    void startPeerWatch() {
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
            ClusterState cs = states.current();
            if (cs.role() == Role.AGENT || epoch <= cs.epoch()) {
                return;
            }
            pipeline.onWriter(() -> {
                states.setReadOnly(true);
                states.setRoleAndEpoch(Role.AGENT, cs.epoch());
                return null;
            });
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
    static void bootstrapSecondary(TiyiConfig config, String agentApi, String enrollmentToken, java.util.function.UnaryOperator<String> route,
            java.nio.file.Path dir) {
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
        com.fasterxml.jackson.databind.JsonNode snap = io.tiyi.client.TiyiClient.of(route.apply(agentApi), id.credential(),
                java.time.Duration.ofMinutes(5))
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
                url -> peer(url, credential, java.time.Duration.ofSeconds(60)), new io.tiyi.store.Blobs(store)).start();
    }

    /**
     * Promotes this secondary (ARCHITECTURE §8): demote the primary (it turns read-only and says
     * its epoch and last seq), catch up to that seq, take epoch + 1, accept mutations, and tell the
     * old primary, whose data plane then follows this node. With {@code force} the old primary is
     * not asked: mutations it committed after the last one replicated here are lost.
     */
    private volatile Runnable afterResume;

    /** Runs {@code r} once writes resume (the embedded agent of a node restored without its identity enrolls then). */
    void onResumeWrites(Runnable r) {
        this.afterResume = r;
    }

    /**
     * Ends the read-only state of a primary that was restored from a backup (or left read-only by
     * an aborted promotion that could not undo itself): the operator says no other primary serves.
     */
    java.util.Map<String, Object> resumeWrites() {
        synchronized (roleLock) {
            ClusterState cs = states.current();
            // Writes resumed but the embedded agent's start failed last time: only that is retried.
            boolean retryOnly = cs.role() == Role.PRIMARY && !cs.readOnly() && afterResume != null;
            if (!retryOnly && (cs.role() != Role.PRIMARY || !cs.readOnly())) {
                throw TiyiException.failedPrecondition("this node is " + cs.role().wireName() + (cs.readOnly() ? " (read-only)" : "")
                        + " at epoch " + cs.epoch() + "; only a read-only primary resumes writes");
            }
            if (!retryOnly) {
                pipeline.onWriter(() -> {
                    states.setReadOnly(false);
                    return null;
                });
                primaryApi = null;
                LOG.warn("cluster: writes resumed: this node is the read-write primary at epoch {} with seq {}", cs.epoch(), pipeline.lastSeq());
            }
        }
        Runnable then = afterResume;
        if (then != null) {
            then.run();
            afterResume = null;
        }
        return java.util.Map.of("epoch", states.current().epoch(), "last_seq", pipeline.lastSeq(), "role", "primary", "read_only", false);
    }

    Handover.Promoted promote(boolean force) {
        synchronized (roleLock) {
            long started = System.nanoTime();
            ClusterState cs = states.current();
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
                states.setRoleAndEpoch(Role.PRIMARY, epoch);
                states.setReadOnly(false);
                return null;
            });
            String oldApi = primaryApi;
            primaryApi = null;
            agent.moveTo(localApi);
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
            return new Handover.Promoted(epoch, previousEpoch, pipeline.lastSeq(), force, took, message);
        }
    }

    /** For failover drills: a held secondary stops pulling the primary's log until released. */
    void holdReplication(boolean hold) {
        replicator.hold(hold);
    }
}
