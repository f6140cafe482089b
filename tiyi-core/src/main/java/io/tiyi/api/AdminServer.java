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
 * The admin listener: the RPC API, {@code /healthz} and {@code /metrics}. It is started early so
 * that load balancers see 503 while the node starts, and drained on shutdown so that in-flight
 * calls finish.
 */
public final class AdminServer implements AutoCloseable {
    private final Undertow undertow;
    private final GracefulShutdownHandler graceful;
    private final PathHandler paths;
    private final InetSocketAddress bound;

    /** @param health the node's {@code /healthz} */
    public AdminServer(HostPort addr, TiyiMetrics metrics, HttpHandler health) {
        this.paths = Handlers.path()
                .addExactPath("/healthz", health)
                .addExactPath("/metrics", new MetricsHandler(metrics));
        this.graceful = Handlers.gracefulShutdown(new RequestMetricsHandler(paths, metrics.registry(), "tiyi.admin.http"));
        this.undertow = Undertow.builder()
                .addHttpListener(addr.port(), addr.host())
                .setIoThreads(1)
                .setWorkerThreads(16)
                // Limits per endpoint are enforced by the handlers (the RPC API answers 413 with a JSON error).
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 64L << 20)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
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
