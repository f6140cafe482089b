package io.tiyi.api;

import io.tiyi.TiyiException;
import io.tiyi.config.HostPort;
import io.tiyi.metrics.TiyiMetrics;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.handlers.PathHandler;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The admin listener: the RPC API, the web UI, {@code /healthz} and {@code /metrics}. It is started
 * early so that load balancers see 503 while the node starts, and drained on shutdown so that
 * in-flight calls finish.
 *
 * <p>It is bounded so that clients that send slowly or never finish cannot take it from everyone
 * else: headers must arrive within {@link #REQUEST_PARSE_TIMEOUT_MS} of their first byte, an idle
 * connection is closed after {@link #IDLE_TIMEOUT_MS}, request bodies are collected by the I/O
 * thread with a deadline and never hold one of the few workers ({@link BodyReader}), and the calls
 * anyone may make are limited per client ({@link ClientRateLimit}). Every path but
 * {@code /healthz}, which load balancers probe by address, checks {@code Host} against
 * {@link AllowedHosts}.
 */
public final class AdminServer implements AutoCloseable {
    /** How long a request's headers may take to arrive, from their first byte. */
    public static final int REQUEST_PARSE_TIMEOUT_MS = 10_000;
    /** How long a connection may stay open without a request. */
    public static final int IDLE_TIMEOUT_MS = 60_000;
    /** Largest request head (request line and headers). */
    public static final int MAX_HEADER_SIZE = 64 * 1024;

    private final Undertow undertow;
    private final GracefulShutdownHandler graceful;
    private final PathHandler paths;
    private final InetSocketAddress bound;

    /**
     * @param hosts the {@code Host} values answered on every path but {@code /healthz}
     * @param health the node's {@code /healthz}
     */
    public AdminServer(HostPort addr, AllowedHosts hosts, TiyiMetrics metrics, HttpHandler health) {
        this.paths = Handlers.path().addExactPath("/metrics", new MetricsHandler(metrics));
        ClientRateLimit publicCalls = new ClientRateLimit();
        HttpHandler limited = exchange -> {
            exchange.putAttachment(ClientRateLimit.KEY, publicCalls);
            paths.handleRequest(exchange);
        };
        PathHandler front = Handlers.path(new AllowedHostHandler(hosts, limited)).addExactPath("/healthz", health);
        this.graceful = Handlers.gracefulShutdown(new RequestMetricsHandler(front, metrics.registry(), "tiyi.admin.http"));
        this.undertow = Undertow.builder()
                .addHttpListener(addr.port(), addr.host())
                .setIoThreads(1)
                .setWorkerThreads(16)
                // Limits per endpoint are enforced by the handlers (the RPC API answers 413 with a JSON error). A
                // listener limit would answer a bare 400 before them to a body a method's limit refuses by name.
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, -1L)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_SIZE)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, REQUEST_PARSE_TIMEOUT_MS)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, IDLE_TIMEOUT_MS)
                .setHandler(graceful)
                .build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new TiyiException("cannot listen on " + addr + " (server.addr / --addr): " + c.getMessage()
                    + "; is another process using it?", e);
        }
        this.bound = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    }

    /** Mounts a handler under a path prefix (the RPC API, the UI). */
    public void mount(String prefix, HttpHandler handler) {
        paths.addPrefixPath(prefix, handler);
    }

    /** The address actually bound (the port is resolved when 0 was asked for). */
    public InetSocketAddress address() {
        return bound;
    }

    public String url() {
        String host = bound.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + bound.getPort();
    }

    /** The URL a client on this host uses: a wildcard bind address becomes loopback. */
    public String localUrl() {
        return localUrl(bound);
    }

    /** The URL a client on this host reaches {@code bound} at: a wildcard address becomes loopback. */
    public static String localUrl(InetSocketAddress bound) {
        InetAddress a = bound.getAddress();
        String host;
        if (a.isAnyLocalAddress()) {
            host = a instanceof Inet6Address ? "[::1]" : "127.0.0.1";
        } else {
            host = a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        }
        return "http://" + host + ":" + bound.getPort();
    }

    /** Stops taking requests, waits up to {@code millis} for those under way, then closes the listener. */
    public void shutdown(long millis) {
        graceful.shutdown();
        try {
            graceful.awaitShutdown(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        undertow.stop();
    }

    @Override
    public void close() {
        shutdown(10_000);
    }
}
