package io.tiyi.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.agent.AgentRuntime;
import io.tiyi.api.AdminServer;
import io.tiyi.api.NodeStatus;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.bundle.AgentReport;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.ReplicationService;
import io.tiyi.client.rpc.SystemService;
import io.tiyi.config.TiyiConfig;
import io.tiyi.fleet.Fleet;
import io.tiyi.internal.Topic;
import io.tiyi.store.Blobs;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A control-plane node's role in the cluster (ARCHITECTURE §8): when it takes mutations, what it
 * tells its peers, the secondary's replication, the two-phase promotion, resuming writes, and the
 * step down to agent-only when a newer primary exists (fencing by epoch). Every change of role
 * goes through {@link ClusterStates} on the state writer, between mutations, and is then
 * published as a {@link RoleChange} for the parts of the node that follow it (the bundle service,
 * the compiler, the embedded agent).
 */
public final class ClusterRole implements AutoCloseable, RpcService {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRole.class);
    private static final Duration CATCH_UP = Duration.ofSeconds(10);

    /**
     * A change of role, once persisted.
     *
     * @param kind what happened
     * @param state the node's state now
     * @param primaryApi the primary this node follows now; null when it is the read-write primary
     */
    public record RoleChange(Kind kind, ClusterState state, String primaryApi) {
        /** What happened. */
        public enum Kind {
            /** Phase one of a promotion elsewhere: read-only until it finishes or is aborted. */
            DEMOTED,
            /** The promotion elsewhere was aborted: read-write again. */
            UNDEMOTED,
            /** A newer primary exists: agent-only from now on. */
            STEPPED_DOWN,
            /** This secondary became the primary. */
            PROMOTED,
            /** A read-only primary takes mutations again. */
            WRITES_RESUMED
        }
    }

    /**
     * A node's role as its peers see it.
     *
     * @param role primary, secondary or agent
     * @param epoch its epoch
     * @param readOnly whether it refuses mutations
     * @param lastSeq its last committed mutation seq
     * @param api its API URL
     */
    record PeerStatus(String role, long epoch, boolean readOnly, long lastSeq, String api) {}

    /**
     * The answer to a demotion.
     *
     * @param epoch the demoted primary's epoch
     * @param lastSeq its last mutation seq, which the new primary must hold before it takes over
     */
    record Demoted(long epoch, long lastSeq) {}

    /**
     * What a promotion did.
     *
     * @param epoch the new epoch
     * @param previousEpoch the epoch of the old primary
     * @param lastSeq the last mutation seq this node holds
     * @param forced whether the old primary was skipped
     * @param tookMs how long the handover took
     * @param message what happened, for the operator
     */
    record Promoted(long epoch, long previousEpoch, long lastSeq, boolean forced, long tookMs, String message) {}

    private final MutationPipeline pipeline;
    private final ClusterStates states;
    private final AgentRuntime agent;
    private final UnaryOperator<String> route;
    private final String localApi;
    private final Endpoints endpoints;
    private final Fleet fleet;
    private final Blobs blobs;
    private final ReplicationSource replication;
    private final PeerWatch peers;
    private final Topic<RoleChange> changes = new Topic<>("role changes");
    private final Object lock = new Object();
    private volatile String primaryApi;
    private volatile Replicator replicator;
    private volatile Runnable afterResume;
    private final java.nio.file.Path stateDir;
    private final StallWatch stallWatch;

    /**
     * @param agent the node's embedded agent: its credential is how this node calls its peers
     * @param admin the admin listener's bound address
     * @param route how this node reaches other nodes' APIs
     */
    public ClusterRole(TiyiConfig config, StateStore store, MutationPipeline pipeline, ClusterStates states, Fleet fleet, AgentRuntime agent,
            InetSocketAddress admin, UnaryOperator<String> route) {
        this.pipeline = pipeline;
        this.states = states;
        this.agent = agent;
        this.route = route;
        this.localApi = AdminServer.localUrl(admin);
        this.endpoints = new Endpoints(config.server().advertiseUrl(), admin, fleet);
        this.fleet = fleet;
        this.blobs = new Blobs(store);
        this.replication = new ReplicationSource(store, pipeline);
        this.stateDir = store.dir();
        this.stallWatch = new StallWatch(replication, pipeline::lastSeq, this::writable);
        this.peers = new PeerWatch(this, endpoints, agent, localApi, this::stepDown);
    }

    /** Enrolls a new secondary, checks its KEK against the primary's and restores the primary's snapshot into {@code dir}. */
    public static void bootstrapSecondary(TiyiConfig config, String primaryApi, String enrollmentToken, UnaryOperator<String> route, Path dir) {
        SecondaryBootstrap.run(config.crypto().kekFile(), primaryApi, enrollmentToken, route, dir);
    }

    /** Starts following the role once the embedded agent runs: the primary watches its peers, a secondary replicates. */
    public void start() {
        ClusterState cs = states.current();
        stallWatch.start();
        if (cs.role() == Role.PRIMARY) {
            peers.check();
            peers.start();
        } else if (cs.role() == Role.SECONDARY) {
            primaryApi = agent.identity().api();
            startReplicator();
        } else {
            primaryApi = agent.identity().api();
            LOG.warn("cluster: this node was demoted to agent-only; it proxies with bundles from {} and takes no changes", primaryApi);
        }
    }

    /** Calls {@code subscriber} after every change of role (on the thread that made it). */
    public void onChange(Consumer<RoleChange> subscriber) {
        changes.subscribe(subscriber);
    }

    /** The node's state now. */
    public ClusterState state() {
        return states.current();
    }

    /** What {@code /healthz} and {@code SystemService/Status} report for this node in {@code phase}. */
    public NodeStatus nodeStatus(NodeStatus.Phase phase) {
        ClusterState cs = states.current();
        long seq = pipeline.lastSeq();
        boolean writable = cs.role() == Role.PRIMARY && !cs.readOnly();
        Replicator r = replicator;
        String stalled = cs.role() == Role.SECONDARY && r != null ? r.stalled() : null;
        return new NodeStatus(phase, cs.role().wireName(), cs.epoch(), cs.readOnly(), seq, cs.nodeId(),
                cs.role() == Role.SECONDARY ? lag(seq) : -1, writable ? null : primaryApi, stalled);
    }

    /**
     * For the {@code tiyi_replication_lag_seq} gauge: how many mutations this secondary misses
     * (-1 before it first heard from the primary); 0 on a node that does not replicate.
     */
    public long replicationLag() {
        ClusterState cs = states.current();
        return cs != null && cs.role() == Role.SECONDARY ? lag(pipeline.lastSeq()) : 0;
    }

    /**
     * Tells {@code stalled} (on the primary) of every secondary whose replication stands still
     * behind it, every few seconds while it does, and {@code recovered} once none does.
     */
    public void onReplicationStall(Consumer<String> stalled, Runnable recovered) {
        stallWatch.listen(stalled, recovered);
    }

    /** The enrolled agents, whose enrollment tokens a new secondary's snapshot download is checked against. */
    Fleet fleet() {
        return fleet;
    }

    /** Seq the replicated primary is ahead of {@code seq}, -1 before the first answer; 0 when not replicating. */
    private long lag(long seq) {
        Replicator r = replicator;
        long primarySeq = r == null ? -1 : r.primaryLastSeq();
        return primarySeq >= 0 ? Math.max(0, primarySeq - seq) : -1;
    }

    /** What serves this node's mutation log and snapshots to secondaries. */
    ReplicationSource replication() {
        return replication;
    }

    /** The API URL other nodes reach this one at. */
    public String advertisedApi() {
        return endpoints.advertised();
    }

    /** This node and the other control-plane nodes that reported lately: every bundle names them. */
    public List<String> controlPlaneEndpoints() {
        return endpoints.controlPlane();
    }

    /** Why this node takes no mutations now, with where to send them; null when it is the read-write primary. */
    public String notPrimaryReason() {
        ClusterState cs = states.current();
        if (cs == null || cs.role() == Role.PRIMARY && !cs.readOnly()) {
            return null;
        }
        String where = primaryApi == null ? "the current primary" : "the primary at " + primaryApi;
        return "not primary: this node is " + cs.role().wireName() + (cs.readOnly() ? " (read-only)" : "") + " at epoch " + cs.epoch()
                + "; send changes to " + where;
    }

    /** Whether this node is the read-write primary. */
    public boolean writable() {
        return notPrimaryReason() == null;
    }

    /** This node's API while it serves as a control plane, which its embedded agent reports; null once it is agent-only. */
    public String controlPlaneApi() {
        return controlPlaneRole() ? advertisedApi() : null;
    }

    /** Whether this node serves as a control plane (primary or secondary), not agent-only. */
    public boolean controlPlaneRole() {
        ClusterState cs = states.current();
        return cs != null && (cs.role() == Role.PRIMARY || cs.role() == Role.SECONDARY);
    }

    /** A client of another node's API with {@code credential}, reached through the node's route. */
    TiyiClient peer(String url, String credential, Duration timeout) {
        return TiyiClient.of(route.apply(url), credential, timeout);
    }

    /** This node's role as its peers see it. */
    PeerStatus status() {
        ClusterState cs = states.current();
        return new PeerStatus(cs.role().wireName(), cs.epoch(), cs.readOnly(), pipeline.lastSeq(), advertisedApi());
    }

    /** The KEK state.db's secrets are sealed with: a new secondary must hold the same. */
    String kekFingerprint() {
        return states.current().kekFingerprint();
    }

    /** Phase one of a graceful promotion elsewhere: stop accepting mutations. */
    Demoted demote(String newPrimaryApi) {
        synchronized (lock) {
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
            changes.publish(new RoleChange(RoleChange.Kind.DEMOTED, states.current(), newPrimaryApi));
            return new Demoted(cs.epoch(), last);
        }
    }

    /** Undoes {@link #demote} when the promotion was aborted. */
    void undemote() {
        synchronized (lock) {
            ClusterState cs = states.current();
            if (cs.role() == Role.PRIMARY && cs.readOnly()) {
                ClusterState now = pipeline.onWriter(() -> states.setReadOnly(false));
                primaryApi = null;
                LOG.warn("cluster: the promotion was aborted; this node is the read-write primary at epoch {} again", cs.epoch());
                changes.publish(new RoleChange(RoleChange.Kind.UNDEMOTED, now, null));
            }
        }
    }

    /** A promotion finished elsewhere: this node becomes an agent of the new primary. */
    void promoted(long epoch, String api) {
        stepDown(api, epoch, "the promotion of " + api + " finished");
    }

    /** Fencing: an agent that has seen a higher epoch than this primary's means a newer primary exists. */
    public void onAgentReport(Fleet.Reported reported) {
        AgentReport r = reported.report();
        ClusterState cs = states.current();
        if (cs != null && cs.role() == Role.PRIMARY && r.epochSeen() > cs.epoch() && r.following() != null && !r.following().equals(localApi)
                && !r.following().equals(advertisedApi())) {
            stepDown(r.following(), r.epochSeen(), "an agent reports epoch " + r.epochSeen() + " from " + r.following());
        }
    }

    /**
     * Steps down for good: a newer primary exists. The node refuses every mutation from now on
     * (also after a restart: the role is persisted), and its data plane follows the new primary.
     */
    private void stepDown(String api, long epoch, String why) {
        synchronized (lock) {
            ClusterState cs = states.current();
            if (cs.role() == Role.AGENT || epoch <= cs.epoch()) {
                return;
            }
            ClusterState now = pipeline.onWriter(() -> states.become(Role.AGENT, cs.epoch(), true));
            primaryApi = api;
            stopReplicator();
            peers.close();
            changes.publish(new RoleChange(RoleChange.Kind.STEPPED_DOWN, now, api));
            LOG.warn("cluster: this node (epoch {}) is now agent-only because {}; it takes no changes and proxies with bundles from {}",
                    cs.epoch(), why, api);
        }
    }

    /** Runs {@code r} once writes resume (the embedded agent of a node restored without its identity enrolls then). */
    public void onResumeWrites(Runnable r) {
        this.afterResume = r;
    }

    /**
     * Ends the read-only state of a primary that was restored from a backup (or left read-only by
     * an aborted promotion that could not undo itself): the operator says no other primary serves.
     */
    Map<String, Object> resumeWrites() {
        synchronized (lock) {
            ClusterState cs = states.current();
            // Writes resumed but the embedded agent's start failed last time: only that is retried.
            boolean retryOnly = cs.role() == Role.PRIMARY && !cs.readOnly() && afterResume != null;
            if (!retryOnly && (cs.role() != Role.PRIMARY || !cs.readOnly())) {
                throw TiyiException.failedPrecondition("this node is " + cs.role().wireName() + (cs.readOnly() ? " (read-only)" : "")
                        + " at epoch " + cs.epoch() + "; only a read-only primary resumes writes");
            }
            if (!retryOnly) {
                ClusterState now = pipeline.onWriter(() -> states.setReadOnly(false));
                primaryApi = null;
                LOG.warn("cluster: writes resumed: this node is the read-write primary at epoch {} with seq {}", cs.epoch(), pipeline.lastSeq());
                changes.publish(new RoleChange(RoleChange.Kind.WRITES_RESUMED, now, null));
            }
        }
        Runnable then = afterResume;
        if (then != null) {
            then.run();
            afterResume = null;
        }
        return Map.of("epoch", states.current().epoch(), "last_seq", pipeline.lastSeq(), "role", "primary", "read_only", false);
    }

    /**
     * Promotes this secondary (ARCHITECTURE §8): demote the primary (it turns read-only and says
     * its epoch and last seq), catch up to that seq, take epoch + 1, accept mutations, and tell the
     * old primary, whose data plane then follows this node. With {@code force} the old primary is
     * not asked: mutations it committed after the last one replicated here are lost.
     */
    Promoted promote(boolean force) {
        synchronized (lock) {
            long started = System.nanoTime();
            ClusterState cs = states.current();
            if (cs.role() != Role.SECONDARY) {
                throw TiyiException.failedPrecondition("this node is " + cs.role().wireName() + " at epoch " + cs.epoch()
                        + "; tiyi promote runs on a secondary");
            }
            TiyiClient old = peer(primaryApi, agent.identity().credential(), Duration.ofSeconds(10));
            long previousEpoch = force ? cs.epoch() : demoteAndCatchUp(old, cs);
            String lost = force ? "promoted without the old primary: mutations it committed after seq " + pipeline.lastSeq()
                    + " (the last replicated here) are lost; " : "";
            stopReplicator();
            long epoch = previousEpoch + 1;
            ClusterState now = pipeline.onWriter(() -> states.become(Role.PRIMARY, epoch, false));
            String oldApi = primaryApi;
            primaryApi = null;
            peers.start();
            changes.publish(new RoleChange(RoleChange.Kind.PROMOTED, now, null));
            if (!force) {
                try {
                    old.call(ReplicationService.PROMOTED, new ReplicationService.PromotedRequest(epoch, advertisedApi()));
                } catch (RuntimeException e) {
                    LOG.warn("cluster: the old primary at {} did not take the news ({}); it demotes itself when it sees epoch {}", oldApi,
                            e.getMessage(), epoch);
                }
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            String message = lost + "this node is the primary at epoch " + epoch + " with seq " + pipeline.lastSeq() + " (took " + took + " ms)";
            LOG.warn("cluster: promoted: {}", message);
            return new Promoted(epoch, previousEpoch, pipeline.lastSeq(), force, took, message);
        }
    }

    /** Phase one of a graceful promotion: the old primary turns read-only; this node replays up to its last seq or gives up. */
    private long demoteAndCatchUp(TiyiClient old, ClusterState cs) {
        JsonNode d;
        try {
            d = old.call(SystemService.DEMOTE, new SystemService.DemoteRequest(advertisedApi()));
        } catch (RuntimeException e) {
            throw TiyiException.failedPrecondition("cannot demote the primary at " + primaryApi + ": " + e.getMessage()
                    + ". Nothing changed: this node is still a secondary at epoch " + cs.epoch() + " with seq " + pipeline.lastSeq()
                    + ". If the primary is down for good, run tiyi promote --force (mutations after seq " + pipeline.lastSeq()
                    + " would be lost)");
        }
        long previousEpoch = d.get("epoch").asLong();
        long target = d.get("last_seq").asLong();
        if (caughtUp(target)) {
            return previousEpoch;
        }
        String state;
        try {
            old.call(ReplicationService.UNDEMOTE, Empty.INSTANCE);
            state = "the primary at " + primaryApi + " is read-write again at epoch " + previousEpoch + " with seq " + target;
        } catch (RuntimeException e) {
            state = "the primary at " + primaryApi + " could not be returned to read-write (" + e.getMessage() + "); it is read-only at epoch "
                    + previousEpoch + " with seq " + target + ": retry tiyi promote, or restart it to make it read-write";
        }
        throw TiyiException.failedPrecondition("promotion aborted: this node reached seq " + pipeline.lastSeq() + " of " + target
                + " within 10 s. It is still a secondary at epoch " + cs.epoch() + "; " + state);
    }

    private boolean caughtUp(long target) {
        CompletableFuture<Long> replayed = pipeline.reached(target);
        try {
            replayed.get(CATCH_UP.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            replayed.cancel(false);
        }
    }

    private void startReplicator() {
        String credential = agent.identity().credential();
        replicator = new Replicator(pipeline, () -> primaryApi, url -> peer(url, credential, Duration.ofSeconds(60)), blobs, stateDir,
                Duration.ofMillis(Followers.stallAfterMs())).start();
    }

    private void stopReplicator() {
        Replicator r = replicator;
        if (r != null) {
            r.close();
            replicator = null;
        }
    }

    /** For failover drills: a held secondary stops pulling the primary's log until released. */
    public void holdReplication(boolean hold) {
        replicator.hold(hold);
    }

    @Override
    public void close() {
        stallWatch.close();
        stopReplicator();
        peers.close();
        replication.close();
    }

    @Override
    public void register(RpcRegistry registry) {
        ReplicationRpc.register(registry, this, blobs);
    }
}
