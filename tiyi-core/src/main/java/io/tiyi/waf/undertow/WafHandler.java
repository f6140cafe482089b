package io.tiyi.waf.undertow;

import io.tiyi.waf.Interruption;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import io.tiyi.waf.WafMode;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.xnio.ChannelListener;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSourceChannel;

/**
 * An Undertow handler that puts a {@link TiyiWaf} in front of any other handler. The request line
 * and headers run phase 1. A request body is read up to the rule set's limit, inspected in
 * phase 2 and handed back to the exchange unchanged, so the handler behind reads it from the
 * start with whatever API it likes (a channel, a receiver, an input stream, a servlet). A body
 * over the limit is refused with 413 when the rules say {@code SecRequestBodyLimitAction Reject}
 * (in block mode), and otherwise inspected in its first part while the rest streams through
 * without being held. An interruption answers its status (403 for {@code deny}) and the handler
 * behind is never called.
 *
 * <p>Works in front of non-blocking handlers and blocking ones (behind a
 * {@code BlockingHandler}), and behind a {@code BlockingHandler} itself. Responses are inspected
 * on their way out (phases 3 and 4) without being held back, so response rules detect and report;
 * {@link Builder#inspectResponses(boolean)} turns that off. When the rules never read response
 * bodies (SecResponseBodyAccess off, no {@code ctl:responseBodyAccess}), both phases run from the
 * final status and headers when the exchange completes. The logging phase runs when the
 * exchange completes, which is when the WAF's event listener hears of it.
 *
 * <pre>{@code
 * HttpHandler app = exchange -> exchange.getResponseSender().send("hello");
 * Undertow.builder().addHttpListener(8080, "0.0.0.0")
 *     .setHandler(WafHandler.builder(waf, app).build()).build().start();
 * }</pre>
 */
public final class WafHandler implements HttpHandler {
    /** The transaction of the exchange, for handlers further down the chain. */
    public static final AttachmentKey<Transaction> TRANSACTION = AttachmentKey.create(Transaction.class);

    private final TiyiWaf waf;
    private final HttpHandler next;
    private final BiConsumer<HttpServerExchange, Transaction> onComplete;
    private final Denial denial;
    private final boolean inspectResponses;
    private final java.util.function.Function<HttpServerExchange, String> clientAddress;
    private final java.util.concurrent.Executor executor;

    /** Answers an interruption; the default writes a short text page. */
    @FunctionalInterface
    public interface Denial {
        void deny(HttpServerExchange exchange, Interruption interruption);
    }

    /** {@code next} behind {@code waf}, with the default denial page and response inspection on. */
    public WafHandler(TiyiWaf waf, HttpHandler next) {
        this(builder(waf, next));
    }

    private WafHandler(Builder b) {
        this.waf = b.waf;
        this.next = b.next;
        this.onComplete = b.onComplete;
        this.denial = b.denial;
        // Response variables are read only by rules of phases 3 to 5: with none, watching the
        // response would cost a wrapped channel and two phase runs and could match nothing.
        this.inspectResponses = b.inspectResponses && waf.inspectsResponses();
        this.clientAddress = b.clientAddress;
        this.executor = b.executor;
    }

    /** A handler that runs {@code next} for requests {@code waf} lets through. */
    public static Builder builder(TiyiWaf waf, HttpHandler next) {
        return new Builder(waf, next);
    }

    /** Options of a {@link WafHandler}. */
    public static final class Builder {
        private final TiyiWaf waf;
        private final HttpHandler next;
        private BiConsumer<HttpServerExchange, Transaction> onComplete = (e, t) -> {};
        private Denial denial = WafHandler::defaultDenial;
        private boolean inspectResponses = true;
        private java.util.function.Function<HttpServerExchange, String> clientAddress;
        private java.util.concurrent.Executor executor;

        private Builder(TiyiWaf waf, HttpHandler next) {
            this.waf = Objects.requireNonNull(waf, "waf");
            this.next = Objects.requireNonNull(next, "next");
        }

        /** Called once per exchange when it completes, after the logging phase, with its transaction. */
        public Builder onComplete(BiConsumer<HttpServerExchange, Transaction> callback) {
            this.onComplete = Objects.requireNonNull(callback, "onComplete");
            return this;
        }

        /** How an interruption is answered. */
        public Builder denial(Denial d) {
            this.denial = Objects.requireNonNull(d, "denial");
            return this;
        }

        /**
         * Whether responses run phases 3 and 4 (default true). Responses are never watched when
         * the rules have no phase 3, 4 or 5 rule, which could not match anything they carry.
         */
        public Builder inspectResponses(boolean on) {
            this.inspectResponses = on;
            return this;
        }

        /**
         * Where the client address ({@code REMOTE_ADDR}) comes from; by default the TCP peer. A host
         * behind proxies passes the address it resolved from a trusted forwarded-for header.
         */
        public Builder clientAddress(java.util.function.Function<HttpServerExchange, String> from) {
            this.clientAddress = Objects.requireNonNull(from, "clientAddress");
            return this;
        }

        /**
         * Runs phases 1 and 2 on {@code pool} rather than on the thread that calls the handler
         * (in Undertow, an I/O thread that every connection it serves shares). Bodies are still
         * read without blocking a thread of the pool. A pool that refuses the work (its queue is
         * full) gets the request answered 503 through the {@link #denial}, with rule id 0.
         */
        public Builder executor(java.util.concurrent.Executor pool) {
            this.executor = Objects.requireNonNull(pool, "executor");
            return this;
        }

        public WafHandler build() {
            return new WafHandler(this);
        }
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
        if (executor != null) {
            ex.dispatch(SameThreadExecutor.INSTANCE, () -> submit(ex, this::inspect));
            return;
        }
        inspect(ex);
    }

    /** Runs {@code task} for the exchange on the executor, or answers 503 when the executor is full. */
    private void submit(HttpServerExchange ex, HttpHandler task) {
        try {
            executor.execute(() -> Connectors.executeRootHandler(task, ex));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            Connectors.executeRootHandler(x -> denial.deny(x, new Interruption(503, "deny", 0,
                    "the web application firewall is at capacity; try again shortly", null)), ex);
        }
    }

    private void inspect(HttpServerExchange ex) throws Exception {
        Transaction tx = waf.newTransaction();
        ex.putAttachment(TRANSACTION, tx);
        // Without response bodies to read, phases 3 and 4 need only the status and headers, which
        // are final once the exchange completes: no wrapped channel, no per-write work.
        boolean watch = inspectResponses && waf.inspectsResponseBodies();
        if (watch) {
            ex.addResponseWrapper((factory, e) -> new ResponseInspector(factory.create(), e, tx));
        }
        boolean afterwards = inspectResponses && !watch;
        ex.addExchangeCompleteListener((e, nextListener) -> {
            try {
                if (afterwards) {
                    ResponseInspector.headers(e, tx);
                    tx.processResponseBody();
                }
                tx.processLogging();
                onComplete.accept(e, tx);
            } finally {
                nextListener.proceed();
            }
        });
        InetSocketAddress src = ex.getSourceAddress();
        InetSocketAddress dst = ex.getDestinationAddress();
        String client = clientAddress != null ? clientAddress.apply(ex) : null;
        if (client == null) {
            client = src == null || src.getAddress() == null ? "" : src.getAddress().getHostAddress();
        }
        tx.processConnection(client, src == null ? 0 : src.getPort(),
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
        long declared = declaredLength(ex);
        boolean hasBody = declared > 0 || ex.getRequestHeaders().contains(Headers.TRANSFER_ENCODING);
        if (!hasBody || !tx.wantsRequestBody()) {
            if (!interrupted(ex, tx.processRequestBody().orElse(null))) {
                next.handleRequest(ex);
            }
            return;
        }
        long limit = waf.requestBodyLimit();
        if (declared > limit && refusesOversized(tx)) {
            ex.setPersistent(false);
            denial.deny(ex, tooLarge(limit));
            return;
        }
        BodyReader reader = new BodyReader(ex, tx, limit, declared);
        if (executor != null || ex.isInIoThread()) {
            reader.readAsync();
        } else {
            reader.readBlocking();
        }
    }

    /** The Content-Length, or 0 when there is none or it is not a number (the rules judge it; the body is read as it comes). */
    private static long declaredLength(HttpServerExchange ex) {
        try {
            return Math.max(0, ex.getRequestContentLength());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private boolean refusesOversized(Transaction tx) {
        return waf.rejectsOversizedRequestBody() && tx.mode() == WafMode.BLOCK;
    }

    private static Interruption tooLarge(long limit) {
        return new Interruption(413, "deny", 0, "request body larger than SecRequestBodyLimit (" + limit + " bytes)", null);
    }

    private boolean interrupted(HttpServerExchange ex, Interruption i) {
        if (i == null) {
            return false;
        }
        denial.deny(ex, i);
        return true;
    }

    /**
     * Reads the request body from the exchange's channel until it ends or passes the limit, then
     * gives what it read back to the exchange: the channel is reset so the next handler opens it
     * afresh and reads those bytes first, then whatever was not read yet.
     */
    private final class BodyReader implements ChannelListener<StreamSourceChannel> {
        private static final long DRAIN = 1 << 20;

        private static final int CHUNK = 16 * 1024;

        private final HttpServerExchange ex;
        private final Transaction tx;
        private final long limit;
        private final Held held;
        private final StreamSourceChannel channel;
        private final ByteBuffer buf;
        /** Bytes read and thrown away after the limit, before a refusal (see {@link #DRAIN}). */
        private long drained = -1;

        /** {@code declared}: the Content-Length, 0 when unknown; a small body gets buffers of its size (one more byte to see its end). */
        BodyReader(HttpServerExchange ex, Transaction tx, long limit, long declared) {
            this.ex = ex;
            this.tx = tx;
            this.limit = limit;
            int size = declared > 0 && declared < CHUNK ? (int) declared + 1 : CHUNK;
            this.buf = ByteBuffer.allocate(size);
            this.held = new Held(size);
            this.channel = ex.getRequestChannel();
        }

        void readBlocking() throws Exception {
            HttpHandler then = decide(read(true));
            if (then != null) {
                then.handleRequest(ex);
            }
        }

        /** Reads until the body ends (true) or passes the limit (false); without blocking, null once nothing more is there yet. */
        private Boolean read(boolean blocking) throws IOException {
            while (true) {
                buf.clear();
                int n = blocking ? Channels.readBlocking(channel, buf) : channel.read(buf);
                if (n == 0) {
                    return null;
                }
                if (n < 0) {
                    return drained < 0;
                }
                if (drained >= 0) {
                    drained += n;
                    if (drained > DRAIN) {
                        return false;
                    }
                    continue;
                }
                take();
                if (held.size() > limit) {
                    if (!refusesOversized(tx)) {
                        return false;
                    }
                    // Closing a connection with unread request bytes makes the kernel reset it, and
                    // the client may lose the 413 with it: read (and drop) what it is still sending
                    // first, up to DRAIN bytes.
                    drained = 0;
                }
            }
        }

        void readAsync() {
            ex.dispatch(SameThreadExecutor.INSTANCE, () -> {
                channel.getReadSetter().set(this);
                handleEvent(channel);
            });
        }

        @Override
        public void handleEvent(StreamSourceChannel ch) {
            Boolean ended;
            try {
                ended = read(false);
                if (ended == null) {
                    ch.resumeReads();
                    return;
                }
            } catch (IOException e) {
                ch.suspendReads();
                ch.getReadSetter().set(null);
                ex.setPersistent(false);
                // A client too slow with its body hears 408; a broken one, 400.
                ex.setStatusCode(e instanceof java.net.SocketTimeoutException ? 408 : 400);
                ex.endExchange();
                return;
            }
            ch.suspendReads();
            ch.getReadSetter().set(null);
            boolean end = ended;
            HttpHandler decided = e -> {
                HttpHandler then = decide(end);
                if (then != null) {
                    then.handleRequest(e);
                }
            };
            // Called from readAsync, this is the thread phase 1 ran on, and a body that came with the
            // head is inspected right away; queueing it again would put the request behind every
            // other one waiting. An I/O thread hands it to the executor.
            if (executor != null && ex.isInIoThread()) {
                submit(ex, decided);
            } else {
                Connectors.executeRootHandler(decided, ex);
            }
        }

        private void take() {
            held.write(buf.array(), buf.arrayOffset(), buf.position());
        }

        /** Inspects what was read and returns the handler to run next, or null when the request was refused. */
        private HttpHandler decide(boolean ended) {
            if (!ended && refusesOversized(tx)) {
                ex.setPersistent(false);
                return e -> denial.deny(e, tooLarge(limit));
            }
            // The transaction keeps at most `limit` bytes and marks the rest as not inspected.
            Interruption i = tx.appendRequestBody(held.bytes(), 0, held.size()).orElse(null);
            if (i == null) {
                i = tx.processRequestBody().orElse(null);
            }
            if (i != null) {
                Interruption refused = i;
                return e -> denial.deny(e, refused);
            }
            Connectors.ungetRequestBytes(ex, new Replayed(ByteBuffer.wrap(held.bytes(), 0, held.size())));
            Connectors.resetRequestChannel(ex);
            return next;
        }
    }

    /** The body read so far, lent out without a copy once reading is over. */
    private static final class Held extends ByteArrayOutputStream {
        Held(int size) {
            super(size);
        }

        byte[] bytes() {
            return buf;
        }
    }

    /** Request bytes handed back to Undertow; not from its pool. */
    private static final class Replayed implements PooledByteBuffer {
        private final ByteBuffer buffer;
        private boolean open = true;

        Replayed(ByteBuffer buffer) {
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
