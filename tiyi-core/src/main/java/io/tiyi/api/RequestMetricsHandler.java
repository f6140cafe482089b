package io.tiyi.api;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/** Counts and times every request of a listener, by status class. */
final class RequestMetricsHandler implements HttpHandler {
    private final HttpHandler next;
    private final Timer requests;
    private final Counter[] byClass = new Counter[6];
    private final Counter active;

    /** @param prefix metric name prefix, for example {@code tiyi.admin.http} */
    public RequestMetricsHandler(HttpHandler next, MetricRegistry registry, String prefix) {
        this.next = next;
        this.requests = registry.timer(prefix + ".requests");
        this.active = registry.counter(prefix + ".active_requests");
        for (int i = 1; i <= 5; i++) {
            byClass[i] = registry.counter(prefix + ".responses." + i + "xx");
        }
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        long start = System.nanoTime();
        active.inc();
        exchange.addExchangeCompleteListener((ex, nextListener) -> {
            try {
                active.dec();
                requests.update(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                int cls = ex.getStatusCode() / 100;
                if (cls >= 1 && cls <= 5) {
                    byClass[cls].inc();
                }
            } finally {
                nextListener.proceed();
            }
        });
        next.handleRequest(exchange);
    }

    @Override
    public String toString() {
        return "request-metrics() -> " + next;
    }
}
