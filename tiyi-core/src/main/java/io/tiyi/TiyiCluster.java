package io.tiyi;

import io.tiyi.client.TiyiClient;
import io.tiyi.cluster.Role;
import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import io.tiyi.internal.TcpLink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A primary and N agents in this JVM, each with its own state directory under one root and every
 * listener on a free loopback port: the harness for integration tests of anything that runs
 * behind or beside Tiyi. Each agent reaches the primary through its own {@link TcpLink}, so a
 * test can {@link #isolate} one agent from the control plane while traffic keeps flowing, and
 * stop ({@link #stopAgent}, {@link #stopPrimary}) or kill ({@link #killAgent}, {@link #killPrimary})
 * nodes.
 *
 * <pre>{@code
 * try (TiyiCluster cluster = TiyiCluster.builder().root(tempDir).agents(2).build().start()) {
 *     cluster.client().call("SitesService", "Create", Map.of(...));
 *     cluster.awaitConvergence(Duration.ofSeconds(10));
 *     InetSocketAddress edge = cluster.agent(0).httpAddress();
 * }
 * }</pre>
 */
public final class TiyiCluster implements AutoCloseable {
    private final Path root;
    private final int agentCount;
    private TiyiNode primary;
    private final List<AgentSlot> agents = new ArrayList<>();

    private static final class AgentSlot {
        final Path dir;
        final TcpLink link;
        TiyiNode node;

        AgentSlot(Path dir, TcpLink link) {
            this.dir = dir;
            this.link = link;
        }
    }

    private TiyiCluster(Builder b) {
        this.root = b.root;
        this.agentCount = b.agents;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configures a cluster. */
    public static final class Builder {
        private Path root;
        private int agents = 1;

        private Builder() {}

        /** The directory that holds every node's state directory ({@code primary/}, {@code agent-0/}, ...). */
        public Builder root(Path dir) {
            this.root = Objects.requireNonNull(dir, "root");
            return this;
        }

        /** How many agents besides the primary (0 or more). */
        public Builder agents(int n) {
            if (n < 0 || n > 32) {
                throw new IllegalArgumentException("agents must be 0 to 32, got " + n);
            }
            this.agents = n;
            return this;
        }

        public TiyiCluster build() {
            if (root == null) {
                throw new IllegalStateException("TiyiCluster needs root(dir)");
            }
            return new TiyiCluster(this);
        }
    }

    private static TiyiConfig config(Path dir) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return TiyiConfig.defaults().withServerAddr(any).withStateDir(dir).withHttpAddr(any).withHttpsAddr(any);
    }

    /** Starts the primary, then enrolls and starts every agent; returns once all are ready. */
    public TiyiCluster start() {
        try {
            primary = TiyiNode.builder().config(config(root.resolve("primary"))).build().start();
            URI api = URI.create(primary.adminUrl());
            for (int i = 0; i < agentCount; i++) {
                TcpLink link = new TcpLink(new InetSocketAddress(api.getHost(), api.getPort()));
                AgentSlot slot = new AgentSlot(root.resolve("agent-" + i), link);
                agents.add(slot);
                String token = primary.client().call("AgentsService", "IssueToken", Map.of("tag", "agent-" + i, "ttl", "10m")).get("token")
                        .asText();
                slot.node = startAgent(slot, token);
            }
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static TiyiNode startAgent(AgentSlot slot, String token) {
        return TiyiNode.builder().role(Role.AGENT).config(config(slot.dir)).agentApi("http://127.0.0.1:" + slot.link.port())
                .enrollmentToken(token).build().start();
    }

    public TiyiNode primary() {
        return primary;
    }

    /** Agent {@code i} (0-based); after {@link #stopAgent} until {@link #restartAgent}, it is not running. */
    public TiyiNode agent(int i) {
        return agents.get(i).node;
    }

    public int agentCount() {
        return agents.size();
    }

    /** The primary's API client with its local admin credential. */
    public TiyiClient client() {
        return primary.client();
    }

    /**
     * Waits until the primary's data plane and every running, connected agent run the bundle
     * version of every mutation committed so far.
     *
     * @return false if they did not within {@code timeout}
     */
    public boolean awaitConvergence(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!primary.awaitDataPlane(timeout)) {
            return false;
        }
        long seq = primary.runtimeVersion();
        for (AgentSlot a : agents) {
            if (a.node == null) {
                continue;
            }
            while (a.node.agent().orElseThrow().appliedVersion()[1] < seq) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(5);
            }
        }
        return true;
    }

    /** Cuts agent {@code i} off the control plane; it keeps serving its last bundle. */
    public void isolate(int i) {
        agents.get(i).link.cut();
    }

    /** Reconnects agent {@code i} to the control plane. */
    public void heal(int i) {
        agents.get(i).link.restore();
    }

    /** Stops agent {@code i} (its state directory stays). */
    public void stopAgent(int i) {
        AgentSlot a = agents.get(i);
        if (a.node != null) {
            a.node.close();
            a.node = null;
        }
    }

    /** Kills agent {@code i}: its listeners close at once, in-flight requests are cut (its state directory stays). */
    public void killAgent(int i) {
        AgentSlot a = agents.get(i);
        if (a.node != null) {
            a.node.halt();
            a.node = null;
        }
    }

    /** Starts agent {@code i} again from its state directory: it serves its last good bundle before it reaches the control plane. */
    public TiyiNode restartAgent(int i) {
        AgentSlot a = agents.get(i);
        stopAgent(i);
        a.node = startAgent(a, null);
        return a.node;
    }

    /** Kills the primary: no draining; agents keep serving their last bundles. */
    public void killPrimary() {
        if (primary != null) {
            primary.halt();
        }
    }

    /** Stops the primary; agents keep serving their last bundles. */
    public void stopPrimary() {
        if (primary != null) {
            primary.close();
        }
    }

    @Override
    public void close() {
        for (AgentSlot a : agents) {
            if (a.node != null) {
                a.node.close();
            }
            a.link.close();
        }
        if (primary != null) {
            primary.close();
        }
    }
}
