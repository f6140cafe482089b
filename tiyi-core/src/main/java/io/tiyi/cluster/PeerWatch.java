package io.tiyi.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.agent.AgentFiles;
import io.tiyi.agent.AgentRuntime;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.ReplicationService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's watch for a newer primary (fencing, ARCHITECTURE §8): every few seconds it asks
 * each known peer for its role; one that is a read-write primary at a higher epoch replaces this
 * node. Peers are the endpoints of the bundle the embedded agent runs, those that reported, and
 * those the node kept from before its restart ({@link KnownPeers}). Each round is handed on, for
 * the start fence and for keeping the peers known.
 */
final class PeerWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerWatch.class);
    private static final long REPORTED_WITHIN_MS = 60_000;

    /** What the watch does when it finds a newer primary. */
    interface Replaced {
        void by(String api, long epoch, String why);
    }

    private final ClusterRole role;
    private final Endpoints endpoints;
    private final AgentRuntime agent;
    private final String localApi;
    private final Replaced replaced;
    private final Supplier<KnownPeers.Snapshot> remembered;
    private final Consumer<StartFence.Round> afterRound;
    private ScheduledExecutorService timer;
    private volatile Thread watcher;
    /** The peers the last round asked: what a pause check on the state writer reads without touching the store. */
    private volatile List<String> lastAsked = List.of();
    /** Peers known before a pause, asked until its fence settles even if their reports aged out of the bundle's list meanwhile. */
    private volatile List<String> alsoAsk = List.of();
    /** Control-plane nodes whose embedded agents reported to this one, with when it last heard of each ({@link System#nanoTime}). */
    private final Map<String, Long> heard = new ConcurrentHashMap<>();

    /**
     * @param remembered the peers kept from before the last restart
     * @param afterRound what hears each round that did not end in a step down
     */
    PeerWatch(ClusterRole role, Endpoints endpoints, AgentRuntime agent, String localApi, Replaced replaced, Supplier<KnownPeers.Snapshot> remembered,
            Consumer<StartFence.Round> afterRound) {
        this.role = role;
        this.endpoints = endpoints;
        this.agent = agent;
        this.localApi = localApi;
        this.replaced = replaced;
        this.remembered = remembered;
        this.afterRound = afterRound;
    }

    /** The other control-plane nodes this one knows of now: its last bundle's and those that reported lately. */
    List<String> current() {
        LinkedHashSet<String> peers = new LinkedHashSet<>(agent.knownEndpoints());
        peers.addAll(endpoints.controlPlane());
        peers.remove(localApi);
        peers.remove(endpoints.advertised());
        return new ArrayList<>(peers);
    }

    /** The other control-plane nodes that reported lately: what this node's bundles name besides itself. */
    List<String> reporting() {
        List<String> peers = new ArrayList<>(endpoints.controlPlane());
        peers.remove(localApi);
        peers.remove(endpoints.advertised());
        return peers;
    }

    /** The peers to ask: those known now, and those kept from before the last restart (without this node's address then). */
    List<String> peers() {
        KnownPeers.Snapshot before = remembered.get();
        LinkedHashSet<String> peers = new LinkedHashSet<>(current());
        peers.addAll(before.controlPlane());
        peers.remove(localApi);
        peers.remove(endpoints.advertised());
        if (before.self() != null) {
            peers.remove(before.self());
        }
        peers.addAll(alsoAsk);
        peers.remove(localApi);
        peers.remove(endpoints.advertised());
        return new ArrayList<>(peers);
    }

    /** Asks every known peer once; null when this node is no primary, or stepped down in this round. */
    StartFence.Round check() {
        ClusterState cs = role.state();
        if (cs.role() != Role.PRIMARY) {
            return null;
        }
        long asked = System.nanoTime();
        AgentFiles.Identity id = agent.identity();
        List<String> peers = peers();
        lastAsked = List.copyOf(peers);
        Map<String, Long> epochs = new LinkedHashMap<>();
        List<String> silent = new ArrayList<>();
        for (String url : peers) {
            if (id == null) {
                // Without the embedded agent's credential no peer can be asked.
                silent.add(url);
                continue;
            }
            try {
                JsonNode st = role.peer(url, id.credential(), Duration.ofSeconds(3)).call(ReplicationService.STATUS, Empty.INSTANCE);
                long epoch = st.path("epoch").asLong();
                if ("primary".equals(st.path("role").asText()) && !st.path("read_only").asBoolean() && epoch > role.state().epoch()) {
                    replaced.by(url, epoch, "peer " + url + " is the primary at epoch " + epoch);
                    return null;
                }
                epochs.put(url, epoch);
            } catch (RuntimeException e) {
                LOG.debug("cluster: peer {} did not answer: {}", url, e.getMessage());
                silent.add(url);
            }
        }
        return new StartFence.Round(peers, epochs, silent, asked);
    }

    /** The peers the last round asked; read without touching the store. */
    List<String> lastAsked() {
        return lastAsked;
    }

    /** The embedded agent of control-plane node {@code api} reported to this node. */
    void heard(String api) {
        if (!api.equals(localApi)) {
            heard.put(api, System.nanoTime());
        }
    }

    /**
     * The peers this node knew before a pause of {@code pausedMs}, without touching the store:
     * those the last round asked, those that reported within the minute before the pause (a live
     * peer reports every 10 s), those kept for a pause fence. What the state writer reads.
     */
    List<String> knownBefore(long pausedMs) {
        LinkedHashSet<String> all = new LinkedHashSet<>(lastAsked);
        long since = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(pausedMs + REPORTED_WITHIN_MS);
        heard.forEach((api, at) -> {
            if (at - since >= 0) {
                all.add(api);
            }
        });
        all.addAll(alsoAsk);
        all.remove(localApi);
        return new ArrayList<>(all);
    }

    /** Asks {@code peers} too from now on, until {@link #forget}: the peers known before a pause. */
    void alsoAsk(List<String> peers) {
        alsoAsk = List.copyOf(peers);
    }

    /** Ends {@link #alsoAsk}: the fence it was for settled. */
    void forget() {
        alsoAsk = List.of();
    }

    /** Checks every 5 s from now on. */
    synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tiyi-peer-watch");
            watcher = t;
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::round, 5, 5, TimeUnit.SECONDS);
    }

    /** Asks the peers once more right away (after a pause), besides the round every 5 s; nothing when the watch is stopped. */
    synchronized void checkSoon() {
        if (timer != null) {
            timer.execute(this::round);
        }
    }

    private void round() {
        try {
            StartFence.Round round = check();
            if (round != null) {
                afterRound.accept(round);
            }
        } catch (RuntimeException e) {
            LOG.debug("cluster: peer check failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            // A step down found by the watch itself closes it: interrupting its own thread would fail the step down's file writes.
            if (Thread.currentThread() == watcher) {
                timer.shutdown();
            } else {
                timer.shutdownNow();
            }
            timer = null;
        }
    }
}
