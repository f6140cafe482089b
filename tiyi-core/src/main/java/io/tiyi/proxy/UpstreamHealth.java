package io.tiyi.proxy;

/**
 * The state of one upstream target of one pool, as the data plane sees it now.
 *
 * @param site the site the pool belongs to
 * @param route the path prefix of the route the pool serves, or {@code ""} for the site's default pool
 * @param target the upstream URL as configured, for example {@code http://10.0.0.5:8080}
 * @param healthy the active health checks' verdict; always true for a pool without a health path
 * @param ejected passively ejected right now: a connection to it was refused, so requests go to the
 *     other targets until one of the reconnects the proxy tries every few seconds succeeds
 * @param inflight requests being proxied to it now
 */
public record UpstreamHealth(String site, String route, String target, boolean healthy, boolean ejected, int inflight) {}
