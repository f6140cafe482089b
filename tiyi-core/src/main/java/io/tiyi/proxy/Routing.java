package io.tiyi.proxy;

import com.codahale.metrics.MetricRegistry;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The compiled, immutable routing table of one {@link RuntimeConfig}: host to site, path to pool.
 * Exact hosts are a hash lookup; wildcards are tried longest suffix first.
 */
final class Routing {
    /** A site ready to serve. */
    record SiteRuntime(String name, UpstreamPool pool, List<RouteRuntime> routes, io.undertow.server.HttpHandler entry) {
        UpstreamPool poolFor(String path) {
            return Routing.poolFor(pool, routes, path);
        }
    }

    static UpstreamPool poolFor(UpstreamPool main, List<RouteRuntime> routes, String path) {
        for (RouteRuntime r : routes) {
            if (path.equals(r.prefix()) || path.startsWith(r.prefix().endsWith("/") ? r.prefix() : r.prefix() + "/")) {
                return r.pool();
            }
        }
        return main;
    }

    /** A path route ready to serve. */
    record RouteRuntime(String prefix, UpstreamPool pool) {}

    final RuntimeConfig config;
    private final Map<String, SiteRuntime> exact = new HashMap<>();
    private final List<Map.Entry<String, SiteRuntime>> wildcards = new ArrayList<>();
    private SiteRuntime fallback;
    private final List<SiteRuntime> sites = new ArrayList<>();
    final Map<String, UpstreamPool> pools = new HashMap<>();

    private Routing(RuntimeConfig config) {
        this.config = config;
    }

    static Routing build(RuntimeConfig config, Routing previous, ScheduledExecutorService scheduler, HttpClient checker, MetricRegistry metrics,
            WafEngines engines, SecurityEvents security, java.util.concurrent.Executor wafPool) {
        Routing r = new Routing(config);
        for (RuntimeConfig.SiteConfig s : config.sites()) {
            UpstreamPool main = r.pool(s.name(), "", s.pool(), previous, scheduler, checker, metrics);
            List<RouteRuntime> routes = new ArrayList<>();
            for (RuntimeConfig.RouteConfig rc : s.routes()) {
                routes.add(new RouteRuntime(rc.pathPrefix(), r.pool(s.name(), rc.pathPrefix(), rc.pool(), previous, scheduler, checker, metrics)));
            }
            routes.sort(Comparator.comparingInt((RouteRuntime x) -> x.prefix().length()).reversed());
            List<RouteRuntime> ordered = List.copyOf(routes);
            io.undertow.server.HttpHandler dispatch = ex -> {
                if (!Exchanges.answerRefusal(ex)) {
                    poolFor(main, ordered, ex.getRequestPath()).handler().handleRequest(ex);
                }
            };
            io.tiyi.waf.TiyiWaf waf = engines.engine(config.waf(), s.waf(), config.limits());
            io.undertow.server.HttpHandler entry = waf == null ? dispatch
                    : io.tiyi.waf.undertow.WafHandler.builder(waf, dispatch).onComplete(security::record).denial(security::deny)
                            .clientAddress(ex -> ex.getAttachment(Exchanges.CLIENT_IP)).executor(wafPool).build();
            SiteRuntime site = new SiteRuntime(s.name(), main, ordered, entry);
            r.sites.add(site);
            for (String h : s.hosts()) {
                if (h.equals("*")) {
                    r.fallback = site;
                } else if (h.startsWith("*.")) {
                    r.wildcards.add(Map.entry(h.substring(1), site));
                } else {
                    r.exact.put(h, site);
                }
            }
        }
        r.wildcards.sort(Comparator.comparingInt((Map.Entry<String, SiteRuntime> e) -> e.getKey().length()).reversed());
        return r;
    }

    private UpstreamPool pool(String site, String prefix, RuntimeConfig.PoolConfig pc, Routing previous, ScheduledExecutorService scheduler,
            HttpClient checker, MetricRegistry metrics) {
        String key = site + "\u0000" + prefix + "\u0000" + pc;
        UpstreamPool reused = previous == null ? null : previous.pools.get(key);
        UpstreamPool p = reused != null ? reused : new UpstreamPool(site, pc, scheduler, checker, metrics);
        pools.put(key, p);
        return p;
    }

    /** Every target of every pool of this table, sorted by site, route and target. */
    List<UpstreamHealth> upstreamHealth() {
        List<UpstreamHealth> out = new ArrayList<>();
        for (SiteRuntime s : sites) {
            out.addAll(s.pool().health(""));
            for (RouteRuntime rr : s.routes()) {
                out.addAll(rr.pool().health(rr.prefix()));
            }
        }
        out.sort(Comparator.comparing(UpstreamHealth::site).thenComparing(UpstreamHealth::route).thenComparing(UpstreamHealth::target));
        return List.copyOf(out);
    }

    /** Pools of this table that {@code next} no longer uses. */
    Set<UpstreamPool> retiredBy(Routing next) {
        Set<UpstreamPool> out = new HashSet<>(pools.values());
        out.removeAll(next.pools.values());
        return out;
    }

    /** The site for a Host header value, or null. */
    SiteRuntime find(String hostHeader) {
        if (hostHeader == null) {
            return fallback;
        }
        // A Host that is already a site's name as written needs no normalizing: one lookup, no copies.
        SiteRuntime s = exact.get(hostHeader);
        if (s != null && normalized(hostHeader).equals(hostHeader)) {
            return s;
        }
        String h = normalized(hostHeader);
        s = exact.get(h);
        if (s != null) {
            return s;
        }
        for (Map.Entry<String, SiteRuntime> w : wildcards) {
            if (h.endsWith(w.getKey()) && h.length() > w.getKey().length()) {
                return w.getValue();
            }
        }
        return fallback;
    }

    /** The host name of a Host header: lower case, without port, brackets or a trailing dot. */
    private static String normalized(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end > 0 ? h.substring(1, end) : h;
        } else {
            int colon = h.lastIndexOf(':');
            if (colon > 0) {
                h = h.substring(0, colon);
            }
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }
}
