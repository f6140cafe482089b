package io.tiyi.api;

import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.undertow.io.IoCallback;
import io.undertow.io.Receiver;
import io.undertow.io.Sender;
import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

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
        Receiver receiver = exchange.getRequestReceiver();
        receiver.setMaxBufferSize(max);
        receiver.receiveFullBytes((ex, body) -> {
            if (settled.compareAndSet(false, true)) {
                timer.remove();
                done.accept(body);
            }
        }, (ex, e) -> {
            if (settled.compareAndSet(false, true)) {
                timer.remove();
                if (e instanceof Receiver.RequestToLargeException || e instanceof RequestTooBigException) {
                    refused.accept(tooLarge(declared, max));
                } else {
                    // The client went away or broke the framing: nobody is left to answer.
                    IoUtils.safeClose(ex.getConnection());
                }
            }
        });
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
