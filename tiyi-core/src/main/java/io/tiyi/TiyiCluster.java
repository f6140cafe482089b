package io.tiyi;

import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.AgentsService;
import io.tiyi.client.rpc.SitesService;
import io.tiyi.client.rpc.SystemService;
import io.tiyi.cluster.Role;
import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import io.tiyi.internal.TcpLink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A primary, an optional warm secondary and N agents in this JVM, each with its own state
 * directory under one root and every listener on a free loopback port: the harness for
 * integration tests and failover drills. Every connection a node opens to another node's API goes
 * through a {@link TcpLink} of its own, so a test can cut one agent off every control-plane node
 * ({@link #isolate}), or partition the primary from the secondary ({@link #partition}), while
 * traffic keeps flowing; and stop, kill and restart nodes (control-plane nodes keep their API
 * port across restarts, as a real host keeps its address).
 *
 * <pre>{@code
 * try (TiyiCluster cluster = TiyiCluster.builder().root(tempDir).secondary(true).agents(2).build().start()) {
 *     cluster.client().call(SitesService.CREATE, new SitesService.PutRequest(...));
 *     cluster.awaitConvergence(Duration.ofSeconds(10));
 *     cluster.killPrimary();
 *     cluster.promote(true);
 * }
 * }</pre>
 */
public final class TiyiCluster implements AutoCloseable {
    /** Node names, as the fault operations take them. */
    public static final String PRIMARY = "primary";
    public static final String SECONDARY = "secondary";

    private final Path root;
    private final int agentCount;
    private final boolean withSecondary;
    private final String jwtSecret;
    private final java.time.Duration fenceWait;
    private final Map<String, Integer> apiPorts = new ConcurrentHashMap<>();
    private final Map<String, Map<String, TcpLink>> links = new ConcurrentHashMap<>();
    private final Map<String, TiyiNode> nodes = new ConcurrentHashMap<>();
    private final List<String> agentNames = new ArrayList<>();
    private final Set<String> paused = ConcurrentHashMap.newKeySet();

    private TiyiCluster(Builder b) {
        this.root = b.root;
        this.agentCount = b.agents;
        this.withSecondary = b.secondary;
        this.jwtSecret = b.jwtSecret;
        this.fenceWait = b.fenceWait;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configures a cluster. */
    public static final class Builder {
        private Path root;
        private int agents = 1;
        private boolean secondary;
        private String jwtSecret;
        private java.time.Duration fenceWait = TiyiNodeBuilder.DEFAULT_FENCE_WAIT;

        private Builder() {}

        /** How long the primary, restarted, waits for agents' reports when a peer does not answer ({@link TiyiNodeBuilder#fenceWait}). */
        public Builder fenceWait(java.time.Duration wait) {
            this.fenceWait = Objects.requireNonNull(wait);
            return this;
        }

        /** {@code auth.jwt_secret} of the control-plane nodes; shared, sessions survive a promotion. */
        public Builder jwtSecret(String secret) {
            this.jwtSecret = Objects.requireNonNull(secret);
            return this;
        }

        /** The directory that holds every node's state directory ({@code primary/}, {@code secondary/}, {@code agent-0/}, ...). */
        public Builder root(Path dir) {
            this.root = Objects.requireNonNull(dir, "root");
            return this;
        }

        /** How many agents besides the control-plane nodes (0 or more). */
        public Builder agents(int n) {
            if (n < 0 || n > 32) {
                throw new IllegalArgumentException("agents must be 0 to 32, got " + n);
            }
            this.agents = n;
            return this;
        }

        /** Whether to run a warm secondary (it enrolls with a token tagged {@code secondary} and holds the primary's KEK). */
        public Builder secondary(boolean on) {
            this.secondary = on;
            return this;
        }

        public TiyiCluster build() {
            if (root == null) {
                throw new IllegalStateException("TiyiCluster needs root(dir)");
            }
            return new TiyiCluster(this);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private TiyiConfig config(Path dir, int apiPort) {
        HostPort any = new HostPort("127.0.0.1", 0);
        TiyiConfig c = TiyiConfig.defaults().withServerAddr(new HostPort("127.0.0.1", apiPort)).withStateDir(dir).withHttpAddr(any)
                .withHttpsAddr(any);
        return jwtSecret == null ? c : c.withJwtSecret(jwtSecret, "TiyiCluster");
    }

    /** The API URL of a control-plane node. */
    public String apiUrl(String node) {
        Integer port = apiPorts.get(node);
        if (port == null) {
            throw new IllegalArgumentException("no control-plane node named " + node);
        }
        return "http://127.0.0.1:" + port;
    }

    /** How {@code from} reaches other nodes: through one link per target, created on first use. */
    private UnaryOperator<String> routeFor(String from) {
        Map<String, TcpLink> mine = links.computeIfAbsent(from, k -> new ConcurrentHashMap<>());
        return url -> {
            if (apiPorts.containsKey(from) && url.equals(apiUrl(from))) {
                return url;
            }
            URI u = URI.create(url);
            TcpLink l = mine.computeIfAbsent(url, k -> {
                try {
                    TcpLink made = new TcpLink(new InetSocketAddress(u.getHost(), u.getPort()));
                    if (paused.contains(from) || pausedTarget(u)) {
                        made.cut();
                    }
                    return made;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return "http://127.0.0.1:" + l.port();
        };
    }

    /** Starts the primary, the secondary (if any) and every agent; returns once all are ready. */
    public TiyiCluster start() {
        try {
            apiPorts.put(PRIMARY, freePort());
            nodes.put(PRIMARY, startPrimary());
            if (withSecondary) {
                addSecondary();
            }
            for (int i = 0; i < agentCount; i++) {
                String name = "agent-" + i;
                agentNames.add(name);
                nodes.put(name, startAgent(name, token(name)));
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

    /**
     * Seeds and starts a warm secondary from the primary now, as an operator adds one to a running
     * installation (after its agents enrolled, in the order the README gives).
     */
    public TiyiNode addSecondary() {
        if (apiPorts.containsKey(SECONDARY)) {
            throw new IllegalStateException("the cluster has a secondary already");
        }
        try {
            apiPorts.put(SECONDARY, freePort());
            Files.createDirectories(root.resolve(SECONDARY));
            Files.copy(root.resolve(PRIMARY).resolve("kek.bin"), root.resolve(SECONDARY).resolve("kek.bin"),
                    StandardCopyOption.COPY_ATTRIBUTES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String token = token(SECONDARY);
        TiyiNode n = TiyiNode.builder().role(Role.SECONDARY).config(config(root.resolve(SECONDARY), apiPorts.get(SECONDARY)))
                .primaryApi(apiUrl(PRIMARY)).enrollmentToken(token).route(routeFor(SECONDARY)).build().start();
        nodes.put(SECONDARY, n);
        return n;
    }

    private String token(String tag) {
        return primary().client().call(AgentsService.ISSUE_TOKEN, new AgentsService.IssueRequest(tag, "10m")).get("token").asText();
    }

    private TiyiNode startPrimary() {
        return TiyiNode.builder().config(config(root.resolve(PRIMARY), apiPorts.get(PRIMARY))).route(routeFor(PRIMARY)).fenceWait(fenceWait).build().start();
    }

    private TiyiNode startAgent(String name, String token) {
        HostPort any = new HostPort("127.0.0.1", 0);
        TiyiConfig cfg = TiyiConfig.defaults().withServerAddr(any).withStateDir(root.resolve(name)).withHttpAddr(any).withHttpsAddr(any);
        return TiyiNode.builder().role(Role.AGENT).config(cfg).agentApi(apiUrl(PRIMARY)).enrollmentToken(token).route(routeFor(name))
                .build().start();
    }

    /** The node started as the primary (after a promotion it may be agent-only; see {@link TiyiNode#role()}). */
    public TiyiNode primary() {
        return nodes.get(PRIMARY);
    }

    /** The secondary, if the cluster has one. */
    public TiyiNode secondary() {
        return nodes.get(SECONDARY);
    }

    /** Agent {@code i} (0-based); null while stopped. */
    public TiyiNode agent(int i) {
        return nodes.get(agentNames.get(i));
    }

    public int agentCount() {
        return agentNames.size();
    }

    /** The read-write primary now: the original primary, or the secondary after a promotion. */
    public TiyiNode currentPrimary() {
        for (String name : List.of(PRIMARY, SECONDARY)) {
            TiyiNode n = nodes.get(name);
            if (n != null && n.role() == Role.PRIMARY && !n.status().readOnly()) {
                return n;
            }
        }
        throw new IllegalStateException("no read-write primary is running");
    }

    /** The current primary's API client with its local admin credential. */
    public TiyiClient client() {
        return currentPrimary().client();
    }

    /**
     * Waits until the current primary's data plane and every running agent run the bundle of
     * every mutation committed so far (and a secondary has replicated it).
     *
     * @return false if they did not within {@code timeout}
     */
    public boolean awaitConvergence(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        TiyiNode p = currentPrimary();
        if (!p.awaitDataPlane(timeout)) {
            return false;
        }
        long epoch = p.epoch();
        long seq = p.runtimeVersion();
        for (String name : agentNames) {
            TiyiNode a = nodes.get(name);
            if (a != null && !within(a.agent().orElseThrow().applied(epoch, seq), deadline)) {
                return false;
            }
        }
        TiyiNode s = nodes.get(SECONDARY);
        return s == null || s == p || s.role() != Role.SECONDARY || within(s.controlPlane().reached(p.status().lastSeq()), deadline);
    }

    /** Whether {@code f} completes before {@code deadline} ({@link System#nanoTime()}). */
    private static boolean within(java.util.concurrent.CompletableFuture<?> f, long deadline) throws InterruptedException {
        try {
            f.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(false);
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Cuts agent {@code i} off every control-plane node; it keeps serving its last bundle. */
    public void isolate(int i) {
        links.getOrDefault(agentNames.get(i), Map.of()).values().forEach(TcpLink::cut);
    }

    /** Reconnects agent {@code i}. */
    public void heal(int i) {
        links.getOrDefault(agentNames.get(i), Map.of()).values().forEach(TcpLink::restore);
    }

    /** Cuts the primary and the secondary off each other; both still reach (and are reached by) the agents. */
    public void partition() {
        cutBetween(PRIMARY, SECONDARY, true);
    }

    /** Ends {@link #partition()}. */
    public void healPartition() {
        cutBetween(PRIMARY, SECONDARY, false);
    }

    private void cutBetween(String a, String b, boolean cut) {
        for (String[] pair : new String[][] {{a, b}, {b, a}}) {
            routeFor(pair[0]).apply(apiUrl(pair[1]));
            TcpLink l = links.get(pair[0]).get(apiUrl(pair[1]));
            if (cut) {
                l.cut();
            } else {
                l.restore();
            }
        }
    }

    /**
     * Holds node {@code name} ({@link #PRIMARY}, {@link #SECONDARY} or {@code agent-i}) as a paused
     * process would be held: every link to and from it is cut, so it neither hears from nor
     * reaches any other node, while it keeps running (and its data plane keeps serving). Links
     * made while it is paused start cut. A control-plane node's heartbeat stands still too, so
     * that on {@link #resume} it sees it did not run, as a stopped process does however short
     * the drill held it.
     */
    public void pause(String name) {
        cutAll(name, true);
        holdHeartbeat(name, true);
    }

    /** Ends {@link #pause(String)}. */
    public void resume(String name) {
        holdHeartbeat(name, false);
        cutAll(name, false);
    }

    private void holdHeartbeat(String name, boolean hold) {
        TiyiNode n = nodes.get(name);
        if (n == null || !apiPorts.containsKey(name)) {
            return;
        }
        try {
            n.controlPlane().clusterRole().holdHeartbeat(hold);
        } catch (IllegalStateException e) {
            // stopped: its next start has a heartbeat of its own
        }
    }

    private void cutAll(String name, boolean cut) {
        if (cut) {
            paused.add(name);
        } else {
            paused.remove(name);
        }
        links.forEach((from, byUrl) -> byUrl.forEach((url, link) -> {
            URI u = URI.create(url);
            if (from.equals(name) || Objects.equals(apiPorts.get(name), u.getPort())) {
                if (paused.contains(from) || pausedTarget(u)) {
                    link.cut();
                } else {
                    link.restore();
                }
            }
        }));
    }

    /** Whether {@code url} is the API of a paused node (by port: a node may be named by any spelling of its URL). */
    private boolean pausedTarget(URI url) {
        return paused.stream().anyMatch(n -> Objects.equals(apiPorts.get(n), url.getPort()));
    }

    /** Promotes the secondary (through its own API, as {@code tiyi promote} does on its host). */
    public com.fasterxml.jackson.databind.JsonNode promote(boolean force) {
        return secondary().client().call(SystemService.PROMOTE, new SystemService.PromoteRequest(force));
    }

    /** Stops agent {@code i} (its state directory stays). */
    public void stopAgent(int i) {
        TiyiNode n = nodes.remove(agentNames.get(i));
        if (n != null) {
            n.close();
        }
    }

    /** Kills agent {@code i}: its listeners close at once, in-flight requests are cut. */
    public void killAgent(int i) {
        TiyiNode n = nodes.remove(agentNames.get(i));
        if (n != null) {
            n.halt();
        }
    }

    /** Starts agent {@code i} again from its state directory: it serves its last good bundle before it reaches any control plane. */
    public TiyiNode restartAgent(int i) {
        stopAgent(i);
        TiyiNode n = startAgent(agentNames.get(i), null);
        nodes.put(agentNames.get(i), n);
        return n;
    }

    /** Kills the primary: no draining; agents keep serving their last bundles. */
    public void killPrimary() {
        TiyiNode n = nodes.remove(PRIMARY);
        if (n != null) {
            n.halt();
        }
    }

    /** Stops the primary; agents keep serving their last bundles. */
    public void stopPrimary() {
        TiyiNode n = nodes.remove(PRIMARY);
        if (n != null) {
            n.close();
        }
    }

    /** Starts the original primary again from its state directory, on the same API port. */
    public TiyiNode restartPrimary() {
        stopPrimary();
        TiyiNode n = startPrimary();
        nodes.put(PRIMARY, n);
        return n;
    }

    /** Kills the secondary. */
    public void killSecondary() {
        TiyiNode n = nodes.remove(SECONDARY);
        if (n != null) {
            n.halt();
        }
    }

    /** Starts the secondary again from its state directory, on the same API port. */
    public TiyiNode restartSecondary() {
        TiyiNode old = nodes.remove(SECONDARY);
        if (old != null) {
            old.close();
        }
        TiyiNode n = TiyiNode.builder().role(Role.SECONDARY).config(config(root.resolve(SECONDARY), apiPorts.get(SECONDARY)))
                .route(routeFor(SECONDARY)).build().start();
        nodes.put(SECONDARY, n);
        return n;
    }

    @Override
    public void close() {
        for (String name : agentNames) {
            TiyiNode n = nodes.remove(name);
            if (n != null) {
                n.close();
            }
        }
        for (String name : List.of(SECONDARY, PRIMARY)) {
            TiyiNode n = nodes.remove(name);
            if (n != null) {
                n.close();
            }
        }
        links.values().forEach(m -> m.values().forEach(TcpLink::close));
    }
}
