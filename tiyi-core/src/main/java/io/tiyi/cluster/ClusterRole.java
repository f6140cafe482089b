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
import java.util.ArrayList;
import java.util.LinkedHashSet;
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
            WRITES_RESUMED,
            /** The start fence of a primary that restarted opened: no newer primary was found, or the operator resumed writes. */
            UNFENCED
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
     * @param primaryApi the read-write primary as this node knows it: itself when it is that primary, the primary it
     *     follows otherwise; null when it does not know
     * @param primaryEpoch that primary's epoch, null when not known
     */
    record PeerStatus(String role, long epoch, boolean readOnly, long lastSeq, String api, String primaryApi, Long primaryEpoch) {}

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
    private final KnownPeers known;
    private final KnownPeers.Snapshot remembered;
    private final Duration fenceWait;
    private final Topic<RoleChange> changes = new Topic<>("role changes");
    private final Object lock = new Object();
    private volatile String primaryApi;
    private volatile Replicator replicator;
    private volatile Runnable afterResume;
    private final java.nio.file.Path stateDir;
    private final StallWatch stallWatch;
    private volatile StartFence startFence;
    private volatile StartFence.Round lastRound;
    /** The epoch of the primary this node stepped down for, 0 when it did not. */
    private volatile long steppedDownTo;
    /** When this node last became able to take writes (its start, or its start fence opening), ms. */
    private volatile long openedAt = System.currentTimeMillis();
    private final PauseWatch pauses = new PauseWatch(this::paused);

    /**
     * @param agent the node's embedded agent: its credential is how this node calls its peers
     * @param admin the admin listener's bound address
     * @param route how this node reaches other nodes' APIs
     * @param fenceWait how long a primary that restarted, fenced, waits for agents' reports when a peer does not answer
     */
    public ClusterRole(TiyiConfig config, StateStore store, MutationPipeline pipeline, ClusterStates states, Fleet fleet, AgentRuntime agent,
            InetSocketAddress admin, UnaryOperator<String> route, Duration fenceWait) {
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
        this.known = new KnownPeers(store.dir());
        this.remembered = known.load();
        this.fenceWait = fenceWait;
        this.peers = new PeerWatch(this, endpoints, agent, localApi, this::stepDown, () -> remembered, this::afterRound);
        states.watchPauses(this::stalledReason);
    }

    /** Enrolls a new secondary, checks its KEK against the primary's and restores the primary's snapshot into {@code dir}. */
    public static void bootstrapSecondary(TiyiConfig config, String primaryApi, String enrollmentToken, UnaryOperator<String> route, Path dir) {
        SecondaryBootstrap.run(config.crypto().kekFile(), primaryApi, enrollmentToken, route, dir);
    }

    /** Starts following the role once the embedded agent runs: the primary watches its peers, a secondary replicates. */
    public void start() {
        ClusterState cs = states.current();
        stallWatch.start();
        pauses.start();
        if (cs.role() == Role.PRIMARY) {
            if (states.fenceReason() != null) {
                startFence = new StartFence(remembered.agents(), fenceWait, System.currentTimeMillis());
            }
            afterRound(peers.check());
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
        String fenced = states.fenceReason();
        boolean writable = cs.role() == Role.PRIMARY && !cs.readOnly() && fenced == null;
        Replicator r = replicator;
        String stalled = cs.role() == Role.SECONDARY && r != null ? r.stalled() : null;
        return new NodeStatus(phase, cs.role().wireName(), cs.epoch(), cs.readOnly() || fenced != null, seq, cs.nodeId(),
                cs.role() == Role.SECONDARY ? lag(seq) : -1, writable ? null : primaryApi, stalled, fenced);
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

    /** This node, the primary it follows (if any) and the other control-plane nodes that reported: every bundle names them. */
    public List<String> controlPlaneEndpoints() {
        List<String> all = endpoints.controlPlane();
        String p = primaryApi;
        if (p != null && !all.contains(p)) {
            all.add(p);
        }
        return all;
    }

    /** Why this node takes no mutations now, with where to send them; null when it is the read-write primary. */
    public String notPrimaryReason() {
        ClusterState cs = states.current();
        String fenced = states.fenceReason();
        if (cs == null || cs.role() == Role.PRIMARY && !cs.readOnly() && fenced == null) {
            return null;
        }
        if (cs.role() == Role.PRIMARY && !cs.readOnly()) {
            return "not accepting changes yet: this primary is " + fenced;
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
        boolean readOnly = cs.readOnly() || states.fenceReason() != null;
        String api = advertisedApi();
        if (cs.role() == Role.PRIMARY && !readOnly) {
            return new PeerStatus(cs.role().wireName(), cs.epoch(), false, pipeline.lastSeq(), api, api, cs.epoch());
        }
        String primary = primaryApi;
        Long primaryEpoch = null;
        if (primary != null && cs.role() != Role.PRIMARY) {
            // A secondary's or agent-only node's embedded agent runs the bundles of the primary it follows, at that primary's epoch.
            long seen = Math.max(steppedDownTo, agent.appliedVersion()[0]);
            primaryEpoch = seen > 0 ? seen : null;
        }
        return new PeerStatus(cs.role().wireName(), cs.epoch(), readOnly, pipeline.lastSeq(), api, primary, primaryEpoch);
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
        if (r.nodeApi() != null && !r.nodeApi().equals(advertisedApi())) {
            peers.heard(r.nodeApi());
        }
        ClusterState cs = states.current();
        if (cs != null && cs.role() == Role.PRIMARY && r.epochSeen() > cs.epoch() && r.following() != null && !r.following().equals(localApi)
                && !r.following().equals(advertisedApi())) {
            stepDown(r.following(), r.epochSeen(), "an agent reports epoch " + r.epochSeen() + " from " + r.following());
            return;
        }
        StartFence f = startFence;
        StartFence.Round round = lastRound;
        if (f != null && !reported.agentId().equals(agent.agentId())) {
            f.reported(reported.agentId(), r.epochSeen());
            if (round != null) {
                settleFence(round);
            }
        }
    }

    /**
     * Before each commit, on the state writer: a heartbeat older than {@link PauseWatch#THRESHOLD}
     * means this node did not run and the pause watch has not raised the fence yet. A node whose
     * last round asked no peer goes on, as its fence would open at once.
     */
    private String stalledReason() {
        if (!pauses.stale() || peers.knownBefore(pauses.stalledMs()).isEmpty()) {
            return null;
        }
        return "read-only: this node did not run for " + seconds(pauses.stalledMs()) + " (a stopped process, a long garbage-collection pause"
                + " or a frozen machine); a newer primary may have been promoted meanwhile, so it confirms its epoch with its peers before"
                + " it takes changes again: retry in a few seconds";
    }

    /**
     * The pause watch found that this node did not run for {@code gapMs}: a read-write primary
     * fences itself as at a restart ({@link StartFence}) and asks its peers at once. On the
     * ticker thread, before the heartbeat is refreshed.
     */
    private void paused(long gapMs) {
        synchronized (lock) {
            ClusterState cs = states.current();
            if (cs == null || cs.role() != Role.PRIMARY || cs.readOnly()) {
                return;
            }
            LinkedHashSet<String> before = new LinkedHashSet<>(peers.knownBefore(gapMs));
            before.addAll(peers.peers());
            before.remove(advertisedApi());
            if (before.isEmpty()) {
                LOG.info("cluster: this node did not run for {} (a stopped process, a long garbage-collection pause or a frozen machine); no"
                        + " other control-plane node is known, so it goes on taking writes", seconds(gapMs));
                return;
            }
            long now = System.currentTimeMillis();
            String cause = "a pause of " + seconds(gapMs);
            StartFence f = new StartFence(activeAgents(now - gapMs), fenceWait, now, cause, System.nanoTime());
            peers.alsoAsk(new ArrayList<>(before));
            startFence = f;
            String why = "read-only after " + cause + " at epoch " + cs.epoch() + " until no newer primary is confirmed: asking peers "
                    + String.join(", ", before);
            states.fence(why);
            LOG.warn("cluster: this node did not run for {} (a stopped process, a long garbage-collection pause or a frozen machine) and takes"
                    + " no changes until its peers ({}) confirm no newer primary was promoted meanwhile", seconds(gapMs), String.join(", ", before));
        }
        peers.checkSoon();
    }

    private static String seconds(long ms) {
        return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** For fault drills: a held heartbeat stands still as a stopped process's would; released, it reads as a pause. */
    public void holdHeartbeat(boolean hold) {
        pauses.hold(hold);
    }

    /** After each round of asking the peers: the start fence is settled, or the read-write primary keeps what it knows. */
    private void afterRound(StartFence.Round round) {
        if (round == null) {
            return;
        }
        lastRound = round;
        if (startFence != null) {
            settleFence(round);
        } else if (writable()) {
            rememberPeers();
        }
    }

    /**
     * Keeps what the start fence of the next start asks: the peers that reported within the last
     * minute, and for the first minute after this node opened also those kept before (a live
     * peer reports every 10 s, so one that has not by then is gone).
     */
    private void rememberPeers() {
        LinkedHashSet<String> all = new LinkedHashSet<>(peers.reporting());
        if (System.currentTimeMillis() - openedAt < 60_000) {
            all.addAll(remembered.controlPlane());
        }
        all.remove(advertisedApi());
        all.remove(localApi);
        known.save(new KnownPeers.Snapshot(advertisedApi(), new ArrayList<>(all), activeAgents()));
    }

    /** The separate agents that reported within the last minute: the start fence's witnesses after a restart. */
    private List<String> activeAgents() {
        return activeAgents(System.currentTimeMillis());
    }

    /** The separate agents that reported within the minute before {@code until} (ms): before a pause, its fence's witnesses. */
    private List<String> activeAgents(long until) {
        long since = until - 60_000;
        String own = agent.agentId();
        return fleet.agents().stream().filter(a -> !a.revoked() && !a.id().equals(own))
                .filter(a -> fleet.lastReport(a.id()).filter(s -> s.at() >= since && s.report().nodeApi() == null).isPresent())
                .map(Fleet.Agent::id).sorted().toList();
    }

    /** Opens the start fence when the rule of {@link StartFence} allows it, else says why it holds. */
    private void settleFence(StartFence.Round round) {
        synchronized (lock) {
            StartFence f = startFence;
            ClusterState cs = states.current();
            if (f == null || cs.role() != Role.PRIMARY || !f.settles(round)) {
                return;
            }
            String why = f.verdict(round, cs.epoch(), System.currentTimeMillis());
            if (why != null) {
                if (!why.equals(states.fenceReason())) {
                    states.fence(why);
                    LOG.warn("cluster: {}", why);
                }
                return;
            }
            String how = round.known().isEmpty() ? "no other control-plane node is known"
                    : round.silent().isEmpty() ? "every peer (" + String.join(", ", round.known()) + ") is at epoch " + cs.epoch() + " or lower"
                    : "peers " + String.join(", ", round.silent()) + " did not answer, and every agent active before " + f.cause() + " reported"
                            + " epoch " + cs.epoch() + " or lower";
            open();
            LOG.info("cluster: writes open: this node is the read-write primary at epoch {} because {}", cs.epoch(), how);
        }
        try {
            runAfterResume();
        } catch (RuntimeException e) {
            LOG.error("cluster: writes are open but the embedded agent could not enroll ({}); run tiyi system resume-writes --yes to retry",
                    e.getMessage());
        }
    }

    /** Lifts the start fence; under the lock. */
    private void open() {
        openedAt = System.currentTimeMillis();
        startFence = null;
        peers.forget();
        states.unfence();
        primaryApi = null;
        changes.publish(new RoleChange(RoleChange.Kind.UNFENCED, states.current(), null));
    }

    /** Runs what waited for writes (the embedded agent's enrollment), once; kept for a retry when it fails. */
    private void runAfterResume() {
        Runnable then = afterResume;
        if (then != null) {
            then.run();
            afterResume = null;
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
            startFence = null;
            peers.forget();
            states.unfence();
            primaryApi = api;
            steppedDownTo = epoch;
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
            boolean fenced = cs.role() == Role.PRIMARY && !cs.readOnly() && states.fenceReason() != null;
            // Writes resumed but the embedded agent's start failed last time: only that is retried.
            boolean retryOnly = cs.role() == Role.PRIMARY && !cs.readOnly() && !fenced && afterResume != null;
            if (fenced) {
                open();
                LOG.warn("cluster: writes resumed by the operator: the start fence is lifted; this node is the read-write primary at epoch {}"
                        + " with seq {}", cs.epoch(), pipeline.lastSeq());
            } else if (!retryOnly && (cs.role() != Role.PRIMARY || !cs.readOnly())) {
                throw TiyiException.failedPrecondition("this node is " + cs.role().wireName() + (cs.readOnly() ? " (read-only)" : "")
                        + " at epoch " + cs.epoch() + "; only a read-only primary resumes writes");
            }
            if (!retryOnly && !fenced) {
                ClusterState now = pipeline.onWriter(() -> states.setReadOnly(false));
                primaryApi = null;
                LOG.warn("cluster: writes resumed: this node is the read-write primary at epoch {} with seq {}", cs.epoch(), pipeline.lastSeq());
                changes.publish(new RoleChange(RoleChange.Kind.WRITES_RESUMED, now, null));
            }
        }
        runAfterResume();
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
        pauses.close();
        stallWatch.close();
        stopReplicator();
        peers.close();
        if (writable()) {
            rememberPeers();
        }
        replication.close();
    }

    @Override
    public void register(RpcRegistry registry) {
        ReplicationRpc.register(registry, this, blobs);
    }
}
