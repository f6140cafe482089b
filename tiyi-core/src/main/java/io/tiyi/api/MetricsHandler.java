package io.tiyi.api;

import io.tiyi.metrics.TiyiMetrics;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.ByteArrayOutputStream;

/** {@code GET /metrics}: every metric of the node in the Prometheus text format. */
final class MetricsHandler implements HttpHandler {
    private final TiyiMetrics metrics;

    public MetricsHandler(TiyiMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        metrics.writeTo(out);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, metrics.contentType());
        exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(out.toByteArray()));
    }

    @Override
    public String toString() {
        return "metrics()";
    }
}
