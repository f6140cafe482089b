package io.tiyi.api;

import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSourceChannel;

/**
 * Reads a request body without holding a worker thread: the bytes are collected by the
 * connection's I/O thread as they arrive, and only the complete body is handed on. A client that
 * sends slowly therefore costs a little memory, never one of the listener's few workers.
 *
 * <p>Two bounds apply. The size limit is checked against {@code Content-Length} before anything is
 * read and again while reading (for chunked bodies). The deadline is {@link #BASE_TIMEOUT} plus
 * one second per {@link #MIN_RATE} bytes declared, so that large uploads over slow links still
 * finish while a body trickled a byte at a time does not: when it passes, the client is answered
 * 408 and the connection is closed, since the rest of its body can no longer be told apart from a
 * next request.
 */
final class BodyReader {
    /** How long any body may take. */
    static final Duration BASE_TIMEOUT = Duration.ofSeconds(10);
    /** Bytes per second a large body must at least arrive at, on top of {@link #BASE_TIMEOUT}. */
    static final int MIN_RATE = 64 * 1024;

    private BodyReader() {}

    /**
     * Reads the body of {@code exchange}, then calls {@code done} with it, or {@code refused} with a
     * {@code PAYLOAD_TOO_LARGE} error. Either may run on the I/O thread: they must not block. A
     * client that stops sending or disconnects is answered (408) or dropped here and neither is
     * called.
     */
    static void read(HttpServerExchange exchange, int max, Consumer<byte[]> done, Consumer<TiyiException> refused) {
        long declared = exchange.getRequestContentLength();
        if (declared > max) {
            refused.accept(tooLarge(declared, max));
            return;
        }
        if (exchange.isRequestComplete() || declared == 0) {
            done.accept(new byte[0]);
            return;
        }
        AtomicBoolean settled = new AtomicBoolean();
        long millis = deadline(declared < 0 ? max : declared).toMillis();
        XnioExecutor.Key timer = exchange.getIoThread().executeAfter(() -> {
            if (settled.compareAndSet(false, true)) {
                timedOut(exchange, millis);
            }
        }, millis, TimeUnit.MILLISECONDS);
        StreamSourceChannel channel = exchange.getRequestChannel();
        if (channel == null) {
            settled.set(true);
            timer.remove();
            done.accept(new byte[0]);
            return;
        }
        Body body = new Body(declared, max);
        ChannelListener<StreamSourceChannel> pump = c -> {
            if (settled.get()) {
                // Timed out meanwhile: the 408 closes the connection; stop hearing of its bytes.
                c.suspendReads();
            } else {
                pump(exchange, c, body, settled, timer, done, refused, true);
            }
        };
        channel.getReadSetter().set(pump);
        pump(exchange, channel, body, settled, timer, done, refused, false);
    }

    /**
     * Reads what has arrived; on the end of the body or an error settles the exchange, else waits
     * for the next read event. {@code fromListener} is true when called by the I/O thread's read
     * listener, outside any handler, where the callbacks are run as root handlers.
     */
    private static void pump(HttpServerExchange exchange, StreamSourceChannel channel, Body body, AtomicBoolean settled,
            XnioExecutor.Key timer, Consumer<byte[]> done, Consumer<TiyiException> refused, boolean fromListener) {
        try {
            while (true) {
                int n = channel.read(body.room());
                if (n > 0) {
                    body.filled(n);
                }
                if (n == 0) {
                    channel.resumeReads();
                    return;
                }
                if (n < 0) {
                    byte[] all = body.bytes();
                    settle(exchange, channel, settled, timer, fromListener, ex -> done.accept(all));
                    return;
                }
                if (body.over()) {
                    settle(exchange, channel, settled, timer, fromListener, ex -> refused.accept(tooLarge(body.declared, body.max)));
                    return;
                }
            }
        } catch (IOException e) {
            // The client went away or broke the framing: nobody is left to answer.
            if (settled.compareAndSet(false, true)) {
                timer.remove();
                IoUtils.safeClose(exchange.getConnection());
            }
        }
    }

    private static void settle(HttpServerExchange exchange, StreamSourceChannel channel, AtomicBoolean settled, XnioExecutor.Key timer,
            boolean fromListener, HttpHandler then) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        timer.remove();
        channel.suspendReads();
        channel.getReadSetter().set(null);
        if (fromListener) {
            Connectors.executeRootHandler(then, exchange);
        } else {
            try {
                then.handleRequest(exchange);
            } catch (Exception e) {
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
        }
    }

    /**
     * The body as it arrives: one array of exactly the declared length (a large upload is held
     * once, not copied as it grows), or for a chunked body an array that doubles up to one byte
     * past the limit, which is how an oversized one is noticed.
     */
    private static final class Body {
        final long declared;
        final int max;
        private byte[] data;
        private int size;

        Body(long declared, int max) {
            this.declared = declared;
            this.max = max;
            this.data = new byte[declared >= 0 ? (int) declared : Math.min(max + 1, 8192)];
        }

        /**
         * Where the next read goes. Once a body of known length is complete, the read that sees its
         * end goes to a one-byte spare, which the channel never fills (it stops at the length).
         */
        ByteBuffer room() {
            if (size == data.length) {
                if (declared >= 0) {
                    return ByteBuffer.allocate(1);
                }
                data = Arrays.copyOf(data, (int) Math.min((long) max + 1, data.length * 2L));
            }
            return ByteBuffer.wrap(data, size, data.length - size);
        }

        void filled(int n) {
            size += n;
        }

        boolean over() {
            return declared >= 0 ? size > declared : size > max;
        }

        byte[] bytes() {
            return size == data.length ? data : Arrays.copyOf(data, size);
        }
    }

    /** How long a body of {@code bytes} may take to arrive. */
    static Duration deadline(long bytes) {
        return BASE_TIMEOUT.plusSeconds(Math.max(0, bytes) / MIN_RATE);
    }

    private static TiyiException tooLarge(long declared, int max) {
        return new TiyiException(ErrorCode.PAYLOAD_TOO_LARGE, declared > max
                ? "request body of " + declared + " bytes exceeds the limit of " + max
                : "request body exceeds the limit of " + max + " bytes");
    }

    private static void timedOut(HttpServerExchange exchange, long millis) {
        Connectors.executeRootHandler(ex -> {
            if (ex.isResponseStarted()) {
                IoUtils.safeClose(ex.getConnection());
                return;
            }
            ex.setPersistent(false);
            ex.getResponseHeaders().put(Headers.CONNECTION, "close");
            ex.setStatusCode(408);
            ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            ex.getResponseSender().send(io.tiyi.internal.Json.write(RpcHandler.error(ErrorCode.INVALID_ARGUMENT,
                    "request body not received within " + millis + " ms; send the whole body at once")), new IoCallback() {
                        @Override
                        public void onComplete(HttpServerExchange e, Sender sender) {
                            IoUtils.safeClose(e.getConnection());
                        }

                        @Override
                        public void onException(HttpServerExchange e, Sender sender, IOException failure) {
                            IoUtils.safeClose(e.getConnection());
                        }
                    });
        }, exchange);
    }
}
