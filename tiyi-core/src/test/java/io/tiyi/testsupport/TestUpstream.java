package io.tiyi.testsupport;

import io.tiyi.internal.Json;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import io.undertow.util.HeaderValues;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real HTTP upstream on a free loopback port: answers every request with JSON naming itself
 * and echoing what it received (path, headers), and {@code /health} with a settable status.
 */
public final class TestUpstream implements AutoCloseable {
    private final String name;
    private final Undertow server;
    private volatile int healthStatus = 200;

    public TestUpstream(String name) {
        this.name = name;
        this.server = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1).setWorkerThreads(2).setHandler(ex -> {
            if (ex.isInIoThread()) {
                ex.dispatch(ex.getDispatchExecutor(), e2 -> respond(e2));
                return;
            }
            respond(ex);
        }).build();
        server.start();
    }

    private void respond(io.undertow.server.HttpServerExchange ex) throws java.io.IOException {
        ex.startBlocking();
        String requestBody = new String(ex.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        if (ex.getRequestPath().equals("/health")) {
            ex.setStatusCode(healthStatus);
            ex.getResponseSender().send("health " + healthStatus);
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("upstream", name);
        body.put("method", ex.getRequestMethod().toString());
        body.put("path", ex.getRequestPath());
        Map<String, String> headers = new LinkedHashMap<>();
        for (HeaderValues hv : ex.getRequestHeaders()) {
            headers.put(hv.getHeaderName().toString().toLowerCase(java.util.Locale.ROOT), String.join(",", hv));
        }
        body.put("headers", headers);
        body.put("body", requestBody);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ex.getResponseSender().send(Json.write(body));
    }

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public void setHealthStatus(int status) {
        this.healthStatus = status;
    }

    @Override
    public void close() {
        server.stop();
    }
}
