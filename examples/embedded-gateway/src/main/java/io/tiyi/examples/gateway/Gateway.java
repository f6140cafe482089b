package io.tiyi.examples.gateway;

import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.WafEvent;
import io.tiyi.waf.WafMode;
import io.tiyi.waf.WafPolicy;
import io.tiyi.waf.undertow.WafHandler;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A small Undertow gateway that serves its own routes and protects them with Tiyi's WAF running
 * the OWASP CRS. Run it with the CRS directory and a port: {@code Gateway /path/to/crs 8081}.
 */
public final class Gateway implements AutoCloseable {
    private final Undertow server;
    private final BlockingQueue<WafEvent> securityEvents;

    private Gateway(Undertow server, BlockingQueue<WafEvent> securityEvents) {
        this.server = server;
        this.securityEvents = securityEvents;
    }

    /** The gateway's own routes: a non-blocking one, one reading a query parameter and a blocking one reading a body. */
    static HttpHandler routes() {
        // tag::routes[]
        return Handlers.routing()
                .get("/hello", exchange -> exchange.getResponseSender().send("hello\n"))
                .get("/products", exchange -> {
                    Deque<String> q = exchange.getQueryParameters().get("q");
                    exchange.getResponseSender().send("products matching " + (q == null ? "" : q.peek()) + "\n");
                })
                .post("/orders", new BlockingHandler(exchange -> {
                    String order = new String(exchange.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    exchange.setStatusCode(201);
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                    exchange.getResponseSender().send(order);
                }));
        // end::routes[]
    }

    /** Starts the gateway on {@code host:port} (port 0 takes a free one) with the CRS from {@code crsDir}. */
    public static Gateway start(String host, int port, Path crsDir) {
        // tag::waf[]
        // Security events go to a bounded queue: the listener runs on request threads and must not block.
        BlockingQueue<WafEvent> securityEvents = new ArrayBlockingQueue<>(10_000);
        TiyiWaf waf = TiyiWaf.builder()
                .crs(crsDir)
                .policy(WafPolicy.of(WafMode.BLOCK).withParanoia(1))
                .listener(securityEvents::offer)
                .build();
        HttpHandler protectedRoutes = WafHandler.builder(waf, routes()).build();
        Undertow server = Undertow.builder()
                .addHttpListener(port, host)
                .setHandler(protectedRoutes)
                .build();
        server.start();
        // end::waf[]
        return new Gateway(server, securityEvents);
    }

    /** The port the gateway listens on. */
    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** Security events not yet taken. */
    public BlockingQueue<WafEvent> securityEvents() {
        return securityEvents;
    }

    @Override
    public void close() {
        server.stop();
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: Gateway CRS_DIR PORT   (for example: Gateway ../shared/crs 8081)");
            System.exit(2);
        }
        Gateway gateway = start("127.0.0.1", Integer.parseInt(args[1]), Path.of(args[0]));
        System.out.println("gateway on http://127.0.0.1:" + gateway.port() + "/hello; try /products?q=1'+or+'1'='1");
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close));
        while (true) {
            WafEvent e = gateway.securityEvents().take();
            System.out.println((e.blocked() ? "blocked " : "detected ") + e.method() + " " + e.uri() + " from " + e.clientIp() + ": rules "
                    + e.matchedRules().stream().map(r -> Long.toString(r.id())).toList());
        }
    }
}
