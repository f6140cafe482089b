package io.tiyi.proxy;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.events.AccessEvent;
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

    AccessLogHandler(HttpHandler next, EventLog events, MetricRegistry metrics) {
        this.next = next;
        this.events = events;
        this.metrics = metrics;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        ex.addExchangeCompleteListener((e, nextListener) -> {
            try {
                record(e);
            } finally {
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
        String path = q == null || q.isEmpty() ? e.getRequestPath() : e.getRequestPath() + "?" + q;
        String host = e.getRequestHeaders().getFirst(Headers.HOST);
        events.offer(new AccessEvent(System.currentTimeMillis(), Exchanges.requestId(e), e.getAttachment(Exchanges.CLIENT_IP),
                e.getRequestMethod().toString(), host == null ? "" : host, path, e.getStatusCode(), e.getResponseBytesSent(),
                site == null ? "" : site, upstream == null ? "" : upstream, up == null ? -1 : TimeUnit.NANOSECONDS.toMillis(now - up),
                TimeUnit.NANOSECONDS.toMillis(totalNs)));
        String s = site == null ? "_unknown" : UpstreamPool.metricPart(site);
        metrics.timer(MetricRegistry.name("tiyi.proxy.site", s, "requests")).update(totalNs, TimeUnit.NANOSECONDS);
        int cls = e.getStatusCode() / 100;
        if (cls >= 1 && cls <= 5) {
            metrics.counter(MetricRegistry.name("tiyi.proxy.site", s, "responses", cls + "xx")).inc();
        }
    }

    @Override
    public String toString() {
        return "access-log() -> " + next;
    }
}
