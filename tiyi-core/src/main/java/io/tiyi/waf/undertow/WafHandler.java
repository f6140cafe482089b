package io.tiyi.waf.undertow;

import io.tiyi.waf.Interruption;
import io.tiyi.waf.Transaction;
import io.tiyi.waf.Waf;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * An Undertow handler that puts a {@link Waf} in front of any other handler: request line and
 * headers run phase 1; a request body is read (up to the rule set's limit), inspected in phase 2
 * and handed on to {@code next} unchanged, so a proxy or servlet behind it reads it as if
 * nothing happened. An interruption answers its status (403 for {@code deny}) and {@code next}
 * is never called. The response is inspected on its way out (phases 3 and 4) without being
 * held back, so response rules detect and report. The transaction's logging phase runs when the
 * exchange completes, and
 * {@code onComplete} gets it (for security events).
 *
 * <pre>{@code
 * HttpHandler app = exchange -> exchange.getResponseSender().send("hello");
 * Undertow.builder().addHttpListener(8080, "0.0.0.0")
 *     .setHandler(new WafHandler(waf, app)).build().start();
 * }</pre>
 */
public final class WafHandler implements HttpHandler {
    /** The transaction of the exchange, for handlers further down the chain. */
    public static final AttachmentKey<Transaction> TRANSACTION = AttachmentKey.create(Transaction.class);

    private final Waf waf;
    private final HttpHandler next;
    private final BiConsumer<HttpServerExchange, Transaction> onComplete;
    private final Denial denial;

    /** Answers an interruption; the default writes a short text page. */
    @FunctionalInterface
    public interface Denial {
        void deny(HttpServerExchange exchange, Interruption interruption);
    }

    public WafHandler(Waf waf, HttpHandler next) {
        this(waf, next, (e, t) -> {}, WafHandler::defaultDenial);
    }

    /**
     * @param waf the rule set
     * @param next what runs when the request is allowed
     * @param onComplete called once per exchange at completion with its transaction
     * @param denial how an interruption is answered
     */
    public WafHandler(Waf waf, HttpHandler next, BiConsumer<HttpServerExchange, Transaction> onComplete, Denial denial) {
        this.waf = Objects.requireNonNull(waf);
        this.next = Objects.requireNonNull(next);
        this.onComplete = Objects.requireNonNull(onComplete);
        this.denial = Objects.requireNonNull(denial);
    }

    static void defaultDenial(HttpServerExchange ex, Interruption i) {
        ex.setStatusCode(i.status());
        if ("redirect".equals(i.action()) && i.redirectUrl() != null) {
            ex.getResponseHeaders().put(Headers.LOCATION, i.redirectUrl());
            ex.endExchange();
            return;
        }
        if ("drop".equals(i.action())) {
            ex.setPersistent(false);
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        ex.getResponseSender().send(i.status() + " request blocked by the web application firewall (rule " + i.ruleId() + ")\n");
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        Transaction tx = waf.newTransaction();
        ex.putAttachment(TRANSACTION, tx);
        ex.addResponseWrapper((factory, e) -> new ResponseInspector(factory.create(), e, tx));
        ex.addExchangeCompleteListener((e, nextListener) -> {
            try {
                tx.processLogging();
                onComplete.accept(e, tx);
            } finally {
                nextListener.proceed();
            }
        });
        InetSocketAddress src = ex.getSourceAddress();
        InetSocketAddress dst = ex.getDestinationAddress();
        tx.processConnection(src == null || src.getAddress() == null ? "" : src.getAddress().getHostAddress(), src == null ? 0 : src.getPort(),
                dst == null || dst.getAddress() == null ? "" : dst.getAddress().getHostAddress(), dst == null ? 0 : dst.getPort());
        String uri = ex.getRequestURI();
        String q = ex.getQueryString();
        tx.processUri(q == null || q.isEmpty() ? uri : uri + "?" + q, ex.getRequestMethod().toString(), ex.getProtocol().toString());
        for (HeaderValues hv : ex.getRequestHeaders()) {
            for (String v : hv) {
                tx.addRequestHeader(hv.getHeaderName().toString(), v);
            }
        }
        if (interrupted(ex, tx.processRequestHeaders().orElse(null))) {
            return;
        }
        boolean hasBody = ex.getRequestContentLength() > 0 || ex.getRequestHeaders().contains(Headers.TRANSFER_ENCODING);
        if (!hasBody || !tx.wantsRequestBody()) {
            if (!interrupted(ex, tx.processRequestBody().orElse(null))) {
                next.handleRequest(ex);
            }
            return;
        }
        long limit = waf.requestBodyLimit();
        if (ex.getRequestContentLength() > limit && waf.rejectsOversizedRequestBody()) {
            denial.deny(ex, new Interruption(413, "deny", 0, "request body larger than " + limit + " bytes", null));
            return;
        }
        // A body is held in memory for inspection only up to the rule set's limit.
        ex.setMaxEntitySize(limit);
        ex.getRequestReceiver().receiveFullBytes((e, bytes) -> {
            try {
                if (interrupted(e, tx.appendRequestBody(bytes).orElse(null)) || interrupted(e, tx.processRequestBody().orElse(null))) {
                    return;
                }
                // Give the body back to the exchange so the next handler reads it from the start.
                Connectors.ungetRequestBytes(e, new ImmediatePooled(ByteBuffer.wrap(bytes)));
                Connectors.resetRequestChannel(e);
                if (e.isInIoThread()) {
                    e.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, next);
                } else {
                    next.handleRequest(e);
                }
            } catch (Exception ex2) {
                throw new RuntimeException(ex2);
            }
        }, (e, error) -> {
            if (error instanceof io.undertow.server.RequestTooBigException) {
                denial.deny(e, new Interruption(413, "deny", 0, "request body larger than " + limit + " bytes", null));
            } else {
                e.setStatusCode(400);
                e.endExchange();
            }
        });
    }

    private boolean interrupted(HttpServerExchange ex, Interruption i) {
        if (i == null) {
            return false;
        }
        denial.deny(ex, i);
        return true;
    }

    /** A byte buffer handed back to Undertow, not from its pool. */
    private static final class ImmediatePooled implements PooledByteBuffer {
        private final ByteBuffer buffer;
        private boolean open = true;

        ImmediatePooled(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public ByteBuffer getBuffer() {
            return buffer;
        }

        @Override
        public void close() {
            open = false;
        }

        @Override
        public boolean isOpen() {
            return open;
        }
    }

    @Override
    public String toString() {
        return "waf(" + waf.ruleCount() + " rules) -> " + next;
    }
}
