package io.tiyi.api;

import io.tiyi.TiyiVersion;
import io.tiyi.internal.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /healthz}: 200 with role, epoch and version when ready; 503 with a reason while
 * starting or stopping, or while the node's data plane cannot carry traffic (its listeners are
 * not bound, or it serves no verified bundle). A ready node that works but not as it should (a
 * secondary whose replication stalled) answers 200 with {@code "status": "degraded"} and the
 * reason: it still serves traffic with what it has, so load balancers keep it, and monitoring
 * sees the status. A node answers it with this one handler on its admin listener and on
 * every data-plane listener, since load balancers check the nodes that carry traffic.
 */
public final class HealthHandler implements HttpHandler {
    private final Supplier<NodeStatus> status;
    private final LongSupplier runtimeVersion;
    private final Supplier<String> notReady;

    /** @param runtimeVersion the version of the configuration the node's data plane runs */
    public HealthHandler(Supplier<NodeStatus> status, LongSupplier runtimeVersion) {
        this(status, runtimeVersion, () -> null);
    }

    /**
     * @param runtimeVersion the version of the configuration the node's data plane runs
     * @param notReady why the node's data plane cannot carry traffic although the node runs, or null when it can
     */
    public HealthHandler(Supplier<NodeStatus> status, LongSupplier runtimeVersion, Supplier<String> notReady) {
        this.status = status;
        this.runtimeVersion = runtimeVersion;
        this.notReady = notReady;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        NodeStatus s = status.get();
        Map<String, Object> body = new LinkedHashMap<>();
        String dataPlane = s.phase() == NodeStatus.Phase.READY ? notReady.get() : null;
        boolean ready = s.phase() == NodeStatus.Phase.READY && dataPlane == null;
        boolean degraded = ready && s.degraded() != null;
        body.put("status", !ready ? "unavailable" : degraded ? "degraded" : "ok");
        if (!ready) {
            body.put("reason", dataPlane != null ? dataPlane : s.phase() == NodeStatus.Phase.STARTING ? "starting" : "shutting down");
        } else if (degraded) {
            body.put("reason", s.degraded());
        }
        body.put("ready", ready);
        body.put("role", s.role());
        body.put("epoch", s.epoch());
        body.put("read_only", s.readOnly());
        if (s.readOnlyReason() != null) {
            body.put("read_only_reason", s.readOnlyReason());
        }
        body.put("last_seq", s.lastSeq());
        body.put("node_id", s.nodeId());
        if (s.lag() >= 0) {
            body.put("replication_lag", s.lag());
        }
        body.put("runtime_version", runtimeVersion.getAsLong());
        body.put("version", TiyiVersion.version());
        body.put("commit", TiyiVersion.commit());
        exchange.setStatusCode(ready ? 200 : 503);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(Json.write(body));
    }

    @Override
    public String toString() {
        return "health()";
    }
}
