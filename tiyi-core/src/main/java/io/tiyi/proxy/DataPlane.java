package io.tiyi.proxy;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.TiyiException;
import io.tiyi.config.HostPort;
import io.tiyi.events.EventLog;
import io.tiyi.internal.Watermark;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane: HTTP and HTTPS listeners and the handler chain that proxies to upstream pools.
 *
 * <pre>
 *   /healthz | client-ip -> request-id -> access-log -> [request stage] -> routing -> upstream pool (proxy)
 * </pre>
 *
 * <p>It reads one immutable {@link RuntimeConfig}. {@link #apply} compiles the next one completely
 * (routing table, pools, certificates) and then swaps a single reference: requests already under
 * way finish on the table they started with, and pools no longer used are closed a grace period
 * later. Listeners are reopened only when their address changes (or HTTPS gains or loses its
 * last certificate). Nothing here waits on the control plane.
 */
public final class DataPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);
    private static final long RETIRE_GRACE_SECONDS = UpstreamPool.MAX_REQUEST_MS / 1000 + 5;

    private final MetricRegistry metrics;
    private final Optional<HostPort> httpOverride;
    private final Optional<HostPort> httpsOverride;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "tiyi-upstream-health");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient checker = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
    private final SniKeyManager keys = new SniKeyManager();
    private final WafEngines engines = new WafEngines();
    private final SecurityEvents security;
    private final io.undertow.server.handlers.GracefulShutdownHandler chain;
    private volatile Routing routing;
    private final Watermark version = new Watermark(0);
    private volatile io.tiyi.trust.ClientIpResolver resolver = resolverOf(RuntimeConfig.TrustConfig.none());
    private final OriginBypass bypass;
    private final EdgeMarker marker = new EdgeMarker();
    private EdgeServer server;
    private RuntimeConfig.Limits listening;
    private String boundHttp;
    private String boundHttps;
    private InetSocketAddress httpAddress;
    private InetSocketAddress httpsAddress;
    /** Why no listener is open although a configuration is in force; null while they are bound. */
    private volatile String listenerProblem;
    private String wantHttp;
    private String wantHttps;
    private java.util.concurrent.ScheduledFuture<?> rebind;

    /**
     * @param metrics where request and upstream metrics go
     * @param events where access events go
     * @param httpOverride this node's {@code --http-addr}, winning over {@code proxy.http_addr}
     * @param httpsOverride this node's {@code --https-addr}
     * @param health answers {@code /healthz} on data-plane listeners: the node's one health handler, load balancers check it
     * @param requestStage the stage between request id and routing (the WAF); identity for none
     */
    public DataPlane(MetricRegistry metrics, EventLog events, Optional<HostPort> httpOverride, Optional<HostPort> httpsOverride,
            HttpHandler health, Function<HttpHandler, HttpHandler> requestStage) {
        this.metrics = metrics;
        this.httpOverride = httpOverride;
        this.httpsOverride = httpsOverride;
        this.security = new SecurityEvents(events, metrics);
        HttpHandler routed = requestStage.apply(new RoutingHandler(() -> routing));
        this.bypass = new OriginBypass(metrics);
        HttpHandler guarded = new RequestGuard(routed, marker, this::limits);
        HttpHandler proxied = new ClientIpHandler(new RequestIdHandler(new AccessLogHandler(guarded, events, metrics)), () -> resolver, bypass);
        this.chain = io.undertow.Handlers.gracefulShutdown(ex -> {
            if ("/healthz".equals(ex.getRequestPath())) {
                health.handleRequest(ex);
                return;
            }
            proxied.handleRequest(ex);
        });
        metrics.gauge("tiyi.proxy.runtime_version", () -> () -> routing == null ? 0L : routing.config.version());
        metrics.gauge("tiyi.events.dropped", () -> events::dropped);
    }

    /**
     * Builds the next configuration and swaps it in. A listener change that fails is logged and
     * the old listeners stay; when no listener is open at all (the address is taken on the first
     * call), the configuration is still put in force, {@link #listenerProblem} says why nothing
     * listens, and binding is retried every {@value #REBIND_SECONDS} s until it succeeds.
     */
    public synchronized void apply(RuntimeConfig cfg) {
        Objects.requireNonNull(cfg);
        io.tiyi.trust.ClientIpResolver nextResolver = resolverOf(cfg.trust());
        Routing previous = routing;
        keys.update(cfg);
        WafPool pool = wafPool(cfg.limits());
        Routing next = Routing.build(cfg, previous, scheduler, checker, metrics, engines, security, pool);
        engines.retainOnly(cfg);
        routing = next;
        resolver = nextResolver;
        version.set(cfg.version());
        for (java.util.function.Consumer<RuntimeConfig> l : applied) {
            try {
                l.accept(cfg);
            } catch (RuntimeException e) {
                LOG.error("data plane: a listener of configuration {} failed: {}", cfg.version(), e.toString(), e);
            }
        }
        if (previous != null) {
            Set<UpstreamPool> retired = previous.retiredBy(next);
            if (!retired.isEmpty()) {
                scheduler.schedule(() -> retired.forEach(UpstreamPool::close), RETIRE_GRACE_SECONDS, TimeUnit.SECONDS);
            }
        }
        if (server != null && !cfg.limits().equals(listening)) {
            server.update(cfg.limits());
            listening = cfg.limits();
        }
        String http = httpOverride.map(HostPort::toString).orElse(cfg.listeners().http());
        String https = keys.isEmpty() ? null : httpsOverride.map(HostPort::toString).orElse(cfg.listeners().https());
        wantHttp = http;
        wantHttps = https;
        if (server == null || !Objects.equals(http, boundHttp) || !Objects.equals(https, boundHttps)) {
            try {
                relisten(http, https);
            } catch (TiyiException e) {
                if (server != null) {
                    LOG.error("data plane: {}; keeping the listeners on {}{}", e.getMessage(), boundHttp, boundHttps == null ? "" : " and " + boundHttps);
                } else {
                    listenerProblem = e.getMessage();
                    LOG.error("data plane: {}; no listener is open, retrying every {} s: free the address or change it", e.getMessage(),
                            REBIND_SECONDS);
                    scheduleRebind();
                }
            }
        }
    }

    /** Seconds between attempts to open the listeners while none is open. */
    static final long REBIND_SECONDS = 2;

    private void scheduleRebind() {
        if (rebind == null || rebind.isDone()) {
            rebind = scheduler.scheduleWithFixedDelay(this::rebind, REBIND_SECONDS, REBIND_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** One attempt to open the listeners of the configuration in force; stops the retries once they are open. */
    private synchronized void rebind() {
        if (server != null || wantHttp == null) {
            stopRebind();
            return;
        }
        try {
            listen(wantHttp, wantHttps);
            LOG.info("data plane: the listeners are open now; serving configuration {}", version.get());
        } catch (TiyiException e) {
            listenerProblem = e.getMessage();
            LOG.debug("data plane: still cannot listen: {}", e.getMessage());
        }
    }

    private void stopRebind() {
        if (rebind != null) {
            rebind.cancel(false);
            rebind = null;
        }
    }

    /** Why no listener is open although a configuration is in force (the address named); empty while they are bound or before the first configuration. */
    public Optional<String> listenerProblem() {
        return Optional.ofNullable(listenerProblem);
    }

    /**
     * Replaces the listeners. The old ones are closed first, to free their ports for the new
     * ones; when the new ones cannot open, the old ones are opened again before the error is
     * thrown, so a bad address never leaves the node without the listeners it had.
     */
    /** The resolver of a trust configuration; its entries were checked on the control plane, and are checked again here. */
    static io.tiyi.trust.ClientIpResolver resolverOf(RuntimeConfig.TrustConfig t) {
        return io.tiyi.trust.ClientIpResolver.of(new io.tiyi.trust.TrustProfile(t.trustedProxies(), t.clientIpHeaders(), t.cdnProviders()),
                t.cdnRanges());
    }

    private final java.util.List<java.util.function.Consumer<RuntimeConfig>> applied = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Calls {@code listener} with every configuration once it is in force (the SIEM dispatcher's settings ride along). */
    public void onApply(java.util.function.Consumer<RuntimeConfig> listener) {
        applied.add(listener);
    }

    private WafPool wafPool;

    /** The WAF's pool for {@code l}: the current one while its size holds, else a new one (the old one finishes its work). */
    private WafPool wafPool(RuntimeConfig.Limits l) {
        WafPool p = wafPool;
        if (p != null && p.threads() == l.wafThreads() && p.queue() == l.wafQueue()) {
            return p;
        }
        wafPool = new WafPool(l.wafThreads(), l.wafQueue(), metrics);
        if (p != null) {
            // Requests that started on the old table may still hand it their bodies.
            scheduler.schedule(p::retire, RETIRE_GRACE_SECONDS, TimeUnit.SECONDS);
        }
        return wafPool;
    }

    /** The limits in force: the defaults until the first configuration. */
    RuntimeConfig.Limits limits() {
        Routing r = routing;
        return r == null ? RuntimeConfig.Limits.defaults() : r.config.limits();
    }

    /** Gives back attempts a report could not deliver to a primary. */
    public void restoreOriginBypass(OriginBypass.Seen seen) {
        bypass.restore(seen);
    }

    /** Origin bypass attempts seen since the last call (for the agent's state report). */
    public OriginBypass.Seen drainOriginBypass() {
        return bypass.drain();
    }

    private void relisten(String http, String https) {
        String oldHttp = boundHttp;
        String oldHttps = boundHttps;
        // The ports actually bound, for addresses configured with port 0.
        String reopenHttp = oldHttp == null ? null : bound(oldHttp, httpAddress);
        String reopenHttps = oldHttps == null ? null : bound(oldHttps, httpsAddress);
        boolean had = server != null;
        try {
            listen(http, https);
        } catch (TiyiException e) {
            if (had) {
                try {
                    listen(reopenHttp, reopenHttps);
                    boundHttp = oldHttp;
                    boundHttps = oldHttps;
                } catch (TiyiException again) {
                    LOG.error("data plane: cannot reopen {}{} either: {}", oldHttp, oldHttps == null ? "" : " / " + oldHttps, again.getMessage());
                }
            }
            throw e;
        }
    }

    private static String bound(String configured, InetSocketAddress actual) {
        HostPort h = HostPort.parse(configured, "listener");
        return actual == null || h.port() != 0 ? configured : new HostPort(h.host(), actual.getPort()).toString();
    }

    private void listen(String http, String https) {
        HostPort h = HostPort.parse(http, "proxy.http_addr");
        HostPort sh = https == null ? null : HostPort.parse(https, "proxy.https_addr");
        if (server != null) {
            server.close();
            server = null;
        }
        EdgeServer u;
        try {
            u = EdgeServer.start(new InetSocketAddress(h.host(), h.port()), sh == null ? null : new InetSocketAddress(sh.host(), sh.port()),
                    sh == null ? null : sslContext(), chain, this::limits, marker);
        } catch (java.io.IOException | RuntimeException e) {
            throw new TiyiException("data plane cannot listen on " + http + (https == null ? "" : " / " + https) + ": " + e.getMessage()
                    + " (proxy.http_addr / --http-addr, proxy.https_addr / --https-addr)", e);
        }
        server = u;
        listening = limits();
        boundHttp = http;
        boundHttps = https;
        httpAddress = u.httpAddress();
        httpsAddress = u.httpsAddress();
        listenerProblem = null;
        stopRebind();
        LOG.info("data plane: HTTP on {}{}", httpAddress, httpsAddress == null ? "" : ", HTTPS on " + httpsAddress);
    }

    private SSLContext sslContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new KeyManager[] {keys}, null, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("TLS unavailable", e);
        }
    }

    /** The bound HTTP listener. */
    public synchronized Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(httpAddress);
    }

    /** The bound HTTPS listener, while one is open. */
    public synchronized Optional<InetSocketAddress> httpsAddress() {
        return Optional.ofNullable(httpsAddress);
    }

    /**
     * The state of every upstream target of every pool of the configuration in force, sorted by
     * site, route and target; empty before the first configuration. It reads only the volatile
     * state the proxy and the health checks keep, so it never waits on either.
     */
    public List<UpstreamHealth> upstreamHealth() {
        Routing r = routing;
        return r == null ? List.of() : r.upstreamHealth();
    }

    /** The configuration in force. */
    public RuntimeConfig current() {
        Routing r = routing;
        return r == null ? null : r.config;
    }

    /** Completes once the configuration in force is at least version {@code v} (the mutation seq it was compiled from). */
    public CompletableFuture<Long> reached(long v) {
        return version.reach(v);
    }

    /** Stops taking requests and waits up to {@code millis} for those under way, then closes everything. */
    public synchronized void close(long millis) {
        chain.shutdown();
        try {
            chain.awaitShutdown(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    @Override
    public synchronized void close() {
        scheduler.shutdownNow();
        if (wafPool != null) {
            wafPool.retire();
        }
        Routing r = routing;
        if (r != null) {
            r.pools.values().forEach(UpstreamPool::close);
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
