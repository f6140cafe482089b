package io.tiyi.proxy;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.StatusCodes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.OptionMap;
import org.xnio.Xnio;
import io.undertow.protocols.ssl.UndertowXnioSsl;

/**
 * One upstream pool: keep-alive connections to each target, a load-balancing policy
 * ({@code round_robin}, {@code least_conn}), passive ejection (a target that refuses a connection
 * is skipped for {@value #EJECT_SECONDS} s and the request retried once on another), and, when the
 * pool has a health path, active checks every {@value #CHECK_SECONDS} s that take a target out
 * after {@value #FALL} failures and back after {@value #RISE} successes.
 *
 * <p>Pools are reused across configuration swaps when their definition did not change, so their
 * connections and health state survive unrelated edits.
 */
final class UpstreamPool implements AutoCloseable {
    static final int EJECT_SECONDS = 10;
    static final int CHECK_SECONDS = 5;
    static final int FALL = 2;
    static final int RISE = 2;
    static final int MAX_REQUEST_MS = 60_000;
    static final int CONNECTIONS_PER_THREAD = 64;
    static final int QUEUE_PER_THREAD = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamPool.class);

    /** One target of the pool. */
    static final class Target {
        final String url;
        final URI uri;
        final AtomicInteger inflight = new AtomicInteger();
        volatile boolean healthy = true;
        /** Undertow's entry for this target while it is in the balancer: where passive ejection is kept. */
        volatile LoadBalancingProxyClient.Host balanced;
        int fails;
        int oks;
        final List<String> peerKeys = new ArrayList<>();

        Target(String url) {
            this.url = url;
            this.uri = URI.create(url);
        }

        /** Passively ejected now; a target the active checks took out is not in the balancer, so not ejected. */
        boolean ejected() {
            LoadBalancingProxyClient.Host h = balanced;
            return healthy && h != null && !h.isAvailable();
        }
    }

    final RuntimeConfig.PoolConfig config;
    private final String site;
    private final LoadBalancingProxyClient lb;
    private final ProxyHandler handler;
    private final Map<URI, Target> byUri = new LinkedHashMap<>();
    private final Map<String, Target> byPeer = new LinkedHashMap<>();
    /** The same, by socket address: what a connection reports, looked up on every request without building a key. */
    private final Map<InetSocketAddress, Target> bySocket = new java.util.HashMap<>();
    private final MetricRegistry metrics;
    private final List<String> gauges = new ArrayList<>();
    private final ScheduledFuture<?> checks;
    private final HttpClient checker;
    private volatile LoadBalancingProxyClient.Host[] seen;

    UpstreamPool(String site, RuntimeConfig.PoolConfig config, ScheduledExecutorService scheduler, HttpClient checker, MetricRegistry metrics) {
        this.site = site;
        this.config = config;
        this.metrics = metrics;
        this.checker = checker;
        AtomicInteger rr = new AtomicInteger();
        LoadBalancingProxyClient.HostSelector policy = "least_conn".equals(config.lb())
                ? hosts -> leastConnected(hosts)
                : hosts -> Math.floorMod(rr.getAndIncrement(), hosts.length);
        LoadBalancingProxyClient.HostSelector selector = hosts -> {
            notice(hosts);
            return policy.selectHost(hosts);
        };
        // Keep every pooled connection alive (soft max = max), and let requests wait for a free one
        // instead of failing at once when all of an I/O thread's connections are busy.
        this.lb = new LoadBalancingProxyClient(io.undertow.client.UndertowClient.getInstance(), null, selector)
                .setConnectionsPerThread(CONNECTIONS_PER_THREAD)
                .setSoftMaxConnectionsPerThread(CONNECTIONS_PER_THREAD)
                .setMaxQueueSize(QUEUE_PER_THREAD)
                .setProblemServerRetry(EJECT_SECONDS)
                .setTtl(60_000)
                // No sticky sessions: looking for one parses the request's cookies, and Undertow
                // refuses cookies with bytes outside ASCII (UT000173), which dropped the request
                // with no answer. The upstream receives the Cookie header as sent.
                .removeSessionCookieName("JSESSIONID");
        for (String url : config.upstreams()) {
            Target t = new Target(url);
            byUri.put(t.uri, t);
            try {
                for (InetAddress a : InetAddress.getAllByName(t.uri.getHost())) {
                    String key = a.getHostAddress() + ":" + t.uri.getPort();
                    t.peerKeys.add(key);
                    byPeer.putIfAbsent(key, t);
                    if (t.uri.getPort() >= 0) {
                        bySocket.putIfAbsent(new InetSocketAddress(a, t.uri.getPort()), t);
                    }
                }
            } catch (UnknownHostException e) {
                LOG.warn("site {}: upstream host {} does not resolve now; it will be tried as requests come", site, t.uri.getHost());
            }
            addHost(t);
            String g = MetricRegistry.name("tiyi.proxy.upstream", metricPart(site), metricPart(t.uri.getHost() + "_" + t.uri.getPort()), "healthy");
            metrics.remove(g);
            metrics.register(g, (Gauge<Integer>) () -> t.healthy ? 1 : 0);
            gauges.add(g);
        }
        this.handler = ProxyHandler.builder()
                .setProxyClient(new Tracking())
                .setMaxRequestTime(MAX_REQUEST_MS)
                .setMaxConnectionRetries(1)
                .setRewriteHostHeader(false)
                .setReuseXForwarded(false)
                .setNext(ex -> ErrorPages.send(ex, StatusCodes.BAD_GATEWAY, "no upstream of site '" + site + "' could be reached"))
                .build();
        this.checks = config.healthPath() == null ? null
                : scheduler.scheduleWithFixedDelay(this::checkAll, 1, CHECK_SECONDS, TimeUnit.SECONDS);
    }

    static String metricPart(String s) {
        return s.replaceAll("[^A-Za-z0-9_]", "_");
    }

    private void addHost(Target t) {
        if ("https".equals(t.uri.getScheme())) {
            try {
                lb.addHost(t.uri, new UndertowXnioSsl(Xnio.getInstance(), OptionMap.EMPTY, javax.net.ssl.SSLContext.getDefault()));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        } else {
            lb.addHost(t.uri);
        }
    }

    private int leastConnected(LoadBalancingProxyClient.Host[] hosts) {
        int best = 0;
        int min = Integer.MAX_VALUE;
        for (int i = 0; i < hosts.length; i++) {
            Target t = byUri.get(hosts[i].getUri());
            int n = t == null ? 0 : t.inflight.get();
            if (n < min) {
                min = n;
                best = i;
            }
        }
        return best;
    }

    /**
     * Undertow keeps a target's passive ejection on its own host entry and hands those entries
     * out only to the selector; each target keeps a reference to its entry so that health reports
     * can read the flag. The host array is replaced whenever a host is added or removed, so
     * comparing it by identity keeps this to one volatile read per request.
     */
    private void notice(LoadBalancingProxyClient.Host[] hosts) {
        if (hosts == seen) {
            return;
        }
        seen = hosts;
        for (LoadBalancingProxyClient.Host h : hosts) {
            Target t = byUri.get(h.getUri());
            if (t != null) {
                t.balanced = h;
            }
        }
    }

    HttpHandler handler() {
        return handler;
    }

    /** The state of each target, with {@code route} as the pool's route: volatile reads only. */
    List<UpstreamHealth> health(String route) {
        List<UpstreamHealth> out = new ArrayList<>(byUri.size());
        for (Target t : byUri.values()) {
            out.add(new UpstreamHealth(site, route, t.url, t.healthy, t.ejected(), t.inflight.get()));
        }
        return out;
    }

    List<Target> targets() {
        return new ArrayList<>(byUri.values());
    }

    private void checkAll() {
        for (Target t : byUri.values()) {
            boolean ok;
            try {
                HttpResponse<Void> r = checker.send(HttpRequest.newBuilder(URI.create(t.url + config.healthPath()))
                        .timeout(Duration.ofSeconds(2)).header("User-Agent", "tiyi-health-check").GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                ok = r.statusCode() >= 200 && r.statusCode() < 400;
            } catch (java.io.IOException e) {
                ok = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            record(t, ok);
        }
    }

    synchronized void record(Target t, boolean ok) {
        if (ok) {
            t.fails = 0;
            t.oks++;
            if (!t.healthy && t.oks >= RISE) {
                // A request that picked from the host array of before the removal may have set the dropped
                // entry again; the new one reaches the selector on the next request.
                t.balanced = null;
                t.healthy = true;
                addHost(t);
                LOG.info("site {}: upstream {} is healthy again", site, t.url);
            }
        } else {
            t.oks = 0;
            t.fails++;
            if (t.healthy && t.fails >= FALL) {
                t.healthy = false;
                lb.removeHost(t.uri);
                t.balanced = null;
                LOG.warn("site {}: upstream {} failed {} health checks on {}; taken out of the pool until it passes {}", site, t.url,
                        FALL, config.healthPath(), RISE);
            }
        }
    }

    /** Records which target served a request and counts it in flight for least_conn. */
    private final class Tracking implements ProxyClient {
        @Override
        public ProxyTarget findTarget(HttpServerExchange exchange) {
            return lb.findTarget(exchange);
        }

        @Override
        public void getConnection(ProxyTarget target, HttpServerExchange exchange, ProxyCallback<ProxyConnection> callback, long timeout,
                TimeUnit unit) {
            lb.getConnection(target, exchange, new ProxyCallback<>() {
                @Override
                public void completed(HttpServerExchange ex, ProxyConnection conn) {
                    Target t = null;
                    if (conn.getConnection().getPeerAddress() instanceof InetSocketAddress peer && peer.getAddress() != null) {
                        t = bySocket.get(peer);
                        if (t == null) {
                            t = byPeer.get(peer.getAddress().getHostAddress() + ":" + peer.getPort());
                        }
                    }
                    if (t != null) {
                        Target served = t;
                        ex.putAttachment(Exchanges.UPSTREAM, t.url);
                        if (ex.getAttachment(Exchanges.UPSTREAM_START) == null) {
                            t.inflight.incrementAndGet();
                            ex.addExchangeCompleteListener((e, next) -> {
                                served.inflight.decrementAndGet();
                                next.proceed();
                            });
                        }
                    } else {
                        ex.putAttachment(Exchanges.UPSTREAM, String.valueOf(conn.getConnection().getPeerAddress()));
                    }
                    ex.putAttachment(Exchanges.UPSTREAM_START, System.nanoTime());
                    callback.completed(ex, conn);
                }

                @Override
                public void failed(HttpServerExchange ex) {
                    callback.failed(ex);
                }

                @Override
                public void couldNotResolveBackend(HttpServerExchange ex) {
                    callback.couldNotResolveBackend(ex);
                }

                @Override
                public void queuedRequestFailed(HttpServerExchange ex) {
                    callback.queuedRequestFailed(ex);
                }
            }, timeout, unit);
        }
    }

    @Override
    public void close() {
        if (checks != null) {
            checks.cancel(false);
        }
        for (String g : gauges) {
            metrics.remove(g);
        }
        try {
            lb.closeCurrentConnections();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The listener's I/O threads are already gone, and its connections with them.
        }
    }
}
