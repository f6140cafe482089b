package io.tiyi.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.agent.AgentFiles;
import io.tiyi.agent.AgentRuntime;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.ReplicationService;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's watch for a newer primary (fencing, ARCHITECTURE §8): every few seconds it asks
 * each known peer for its role; one that is a read-write primary at a higher epoch replaces this
 * node. Peers are the endpoints of the bundle the embedded agent runs and those that reported.
 */
final class PeerWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerWatch.class);

    /** What the watch does when it finds a newer primary. */
    interface Replaced {
        void by(String api, long epoch, String why);
    }

    private final ClusterRole role;
    private final Endpoints endpoints;
    private final AgentRuntime agent;
    private final String localApi;
    private final Replaced replaced;
    private ScheduledExecutorService timer;

    PeerWatch(ClusterRole role, Endpoints endpoints, AgentRuntime agent, String localApi, Replaced replaced) {
        this.role = role;
        this.endpoints = endpoints;
        this.agent = agent;
        this.localApi = localApi;
        this.replaced = replaced;
    }

    /** Asks every known peer once. */
    void check() {
        ClusterState cs = role.state();
        AgentFiles.Identity id = agent.identity();
        if (cs.role() != Role.PRIMARY || id == null) {
            return;
        }
        LinkedHashSet<String> peers = new LinkedHashSet<>(agent.knownEndpoints());
        peers.addAll(endpoints.controlPlane());
        peers.remove(localApi);
        peers.remove(endpoints.advertised());
        for (String url : peers) {
            try {
                JsonNode st = role.peer(url, id.credential(), Duration.ofSeconds(3)).call(ReplicationService.STATUS, Empty.INSTANCE);
                long epoch = st.path("epoch").asLong();
                if ("primary".equals(st.path("role").asText()) && !st.path("read_only").asBoolean() && epoch > role.state().epoch()) {
                    replaced.by(url, epoch, "peer " + url + " is the primary at epoch " + epoch);
                    return;
                }
            } catch (RuntimeException e) {
                LOG.debug("cluster: peer {} did not answer: {}", url, e.getMessage());
            }
        }
    }

    /** Checks every 5 s from now on. */
    synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tiyi-peer-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (RuntimeException e) {
                LOG.debug("cluster: peer check failed: {}", e.toString());
            }
        }, 5, 5, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
