package io.tiyi.proxy;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.events.AccessEvent;
import io.tiyi.events.ErrorEvent;
import io.tiyi.events.EventLog;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.concurrent.TimeUnit;

/** Emits one access event per request when it completes, and the per-site request metrics. */
final class AccessLogHandler implements HttpHandler {
    private final HttpHandler next;
    private final EventLog events;
    private final MetricRegistry metrics;

    /** A site's metrics, looked up once rather than by name on every request. */
    private static final class SiteMetrics {
        final com.codahale.metrics.Timer requests;
        final com.codahale.metrics.Counter[] byClass = new com.codahale.metrics.Counter[6];

        SiteMetrics(MetricRegistry metrics, String site) {
            requests = metrics.timer(MetricRegistry.name("tiyi.proxy.site", site, "requests"));
            for (int i = 1; i <= 5; i++) {
                byClass[i] = metrics.counter(MetricRegistry.name("tiyi.proxy.site", site, "responses", i + "xx"));
            }
        }
    }

    private final java.util.concurrent.ConcurrentHashMap<String, SiteMetrics> bySite = new java.util.concurrent.ConcurrentHashMap<>();

    AccessLogHandler(HttpHandler next, EventLog events, MetricRegistry metrics) {
        this.next = next;
        this.events = events;
        this.metrics = metrics;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        events.requestStarted();
        ex.addExchangeCompleteListener((e, nextListener) -> {
            try {
                record(e);
            } finally {
                events.requestEnded();
                nextListener.proceed();
            }
        });
        next.handleRequest(ex);
    }

    private void record(HttpServerExchange e) {
        long now = System.nanoTime();
        Long start = e.getAttachment(Exchanges.START);
        long totalNs = start == null ? 0 : now - start;
        Long up = e.getAttachment(Exchanges.UPSTREAM_START);
        String site = e.getAttachment(Exchanges.SITE);
        String upstream = e.getAttachment(Exchanges.UPSTREAM);
        String q = e.getQueryString();
        String path = Exchanges.capped(q == null || q.isEmpty() ? e.getRequestPath() : e.getRequestPath() + "?" + q);
        String host = e.getRequestHeaders().getFirst(Headers.HOST);
        // A body the edge cut off (malformed framing, too slow) closed the connection before any
        // answer: the event carries the status it would have had.
        Exchanges.Refusal cut = e.getAttachment(Exchanges.BODY_FAILURE);
        int status = cut != null ? cut.status() : e.getStatusCode();
        events.offer(new AccessEvent(System.currentTimeMillis(), Exchanges.requestId(e), e.getAttachment(Exchanges.CLIENT_IP),
                e.getAttachment(Exchanges.PEER_IP), e.getRequestMethod().toString(), host == null ? "" : host, path, status, e.getResponseBytesSent(),
                site == null ? "" : site, upstream == null ? "" : upstream, up == null ? -1 : TimeUnit.NANOSECONDS.toMillis(now - up),
                TimeUnit.NANOSECONDS.toMillis(totalNs)));
        String error = e.getAttachment(Exchanges.TIYI_ERROR);
        if (error != null && e.getStatusCode() >= 500) {
            String client = e.getAttachment(Exchanges.CLIENT_IP);
            events.offer(new ErrorEvent(System.currentTimeMillis(), Exchanges.requestId(e), client == null ? "" : client, site == null ? "" : site,
                    e.getRequestMethod().toString(), host == null ? "" : host, path, e.getStatusCode(), error));
        }
        SiteMetrics m = bySite.computeIfAbsent(site == null ? "_unknown" : site, s -> new SiteMetrics(metrics, UpstreamPool.metricPart(s)));
        m.requests.update(totalNs, TimeUnit.NANOSECONDS);
        int cls = status / 100;
        if (cls >= 1 && cls <= 5) {
            m.byClass[cls].inc();
        }
    }

    @Override
    public String toString() {
        return "access-log() -> " + next;
    }
}
