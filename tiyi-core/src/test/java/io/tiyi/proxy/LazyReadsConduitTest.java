package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Reads turned off while a request is served cost nothing below unless the client sends
 * meanwhile, and nothing the client sends is lost or reordered, whichever thread turns reads on.
 */
class LazyReadsConduitTest {
    private final ScheduledExecutorService later = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stop() {
        later.shutdownNow();
    }

    /** The socket conduit below, recording what reaches it. */
    private static final class Below {
        final AtomicInteger suspends = new AtomicInteger();
        final AtomicInteger resumes = new AtomicInteger();
        final AtomicBoolean resumed = new AtomicBoolean();
        ReadReadyHandler handler;
        final StreamSourceConduit conduit = (StreamSourceConduit) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {StreamSourceConduit.class}, (p, m, args) -> {
                    switch (m.getName()) {
                        case "suspendReads":
                            suspends.incrementAndGet();
                            resumed.set(false);
                            return null;
                        case "resumeReads":
                        case "wakeupReads":
                            resumes.incrementAndGet();
                            resumed.set(true);
                            return null;
                        case "isReadResumed":
                            return resumed.get();
                        case "setReadReadyHandler":
                            handler = (ReadReadyHandler) args[0];
                            return null;
                        default:
                            throw new UnsupportedOperationException(m.getName());
                    }
                });
    }

    private static final class Counting implements ReadReadyHandler {
        final AtomicInteger ready = new AtomicInteger();

        @Override
        public void readReady() {
            ready.incrementAndGet();
        }

        @Override
        public void forceTermination() {
        }

        @Override
        public void terminated() {
        }
    }

    @Test
    void suspendingAndResumingWithNothingSentNeverReachesTheSocket() {
        Below below = new Below();
        LazyReadsConduit lazy = new LazyReadsConduit(below.conduit);
        Counting up = new Counting();
        lazy.setReadReadyHandler(up);
        lazy.resumeReads();
        assertThat(below.resumes).hasValue(1);
        for (int i = 0; i < 100; i++) {
            lazy.suspendReads();
            assertThat(lazy.isReadResumed()).isFalse();
            lazy.resumeReads();
            assertThat(lazy.isReadResumed()).isTrue();
        }
        assertThat(below.suspends).hasValue(0);
        assertThat(below.resumes).hasValue(1);
        below.handler.readReady();
        assertThat(up.ready).hasValue(1);
    }

    @Test
    void bytesArrivingWhileReadsAreOffParkTheSocketUntilReadsResume() {
        Below below = new Below();
        LazyReadsConduit lazy = new LazyReadsConduit(below.conduit);
        Counting up = new Counting();
        lazy.setReadReadyHandler(up);
        lazy.resumeReads();
        lazy.suspendReads();
        below.handler.readReady();
        assertThat(up.ready).as("not delivered while reads are off").hasValue(0);
        assertThat(below.suspends).hasValue(1);
        assertThat(below.resumed).isFalse();
        lazy.resumeReads();
        assertThat(below.resumed).isTrue();
        assertThat(below.resumes).hasValue(2);
        below.handler.readReady();
        assertThat(up.ready).hasValue(1);
        lazy.suspendReads();
        lazy.wakeupReads();
        assertThat(below.resumed).isTrue();
        assertThat(lazy.isReadResumed()).isTrue();
    }

    @Test
    void readsResumedFromAnotherThreadWhileTheSocketIsParkedEndUpWatched() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 20_000; i++) {
                Below below = new Below();
                LazyReadsConduit lazy = new LazyReadsConduit(below.conduit);
                lazy.setReadReadyHandler(new Counting());
                lazy.resumeReads();
                lazy.suspendReads();
                Future<?> resume = other.submit(lazy::resumeReads);
                below.handler.readReady();
                resume.get();
                assertThat(below.resumed).as("round %d", i).isTrue();
            }
        } finally {
            other.shutdownNow();
        }
    }

    /** Answers with the request path after {@code delayMs}, from a scheduler thread (as the proxy answers from upstream). */
    private HttpHandler delayed(long delayMs) {
        return ex -> ex.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE,
                () -> later.schedule(() -> send(ex), delayMs, TimeUnit.MILLISECONDS));
    }

    private static void send(HttpServerExchange ex) {
        ex.getResponseSender().send(ex.getRequestPath());
    }

    /** The edge listener alone, answering each request with its path after {@code delayMs}. */
    private EdgeServer server(long delayMs) throws IOException {
        return EdgeServer.start(new InetSocketAddress("127.0.0.1", 0), null, null, delayed(delayMs), RuntimeConfig.Limits::defaults,
                new EdgeMarker());
    }

    private static Socket connect(EdgeServer server) throws IOException {
        Socket s = new Socket();
        s.connect(server.httpAddress(), 2000);
        s.setSoTimeout(10_000);
        return s;
    }

    @Test
    void requestsPipelinedWhileOneIsServedAreAnsweredInOrder() throws Exception {
        try (EdgeServer server = server(150); Socket s = connect(server)) {
            s.getOutputStream().write(get("/1"));
            Thread.sleep(50);
            // Reads are off now; these arrive while /1 waits for its answer.
            s.getOutputStream().write(concat(get("/2"), get("/3")));
            InputStream in = s.getInputStream();
            assertThat(List.of(body(in), body(in), body(in))).containsExactly("/1", "/2", "/3");
        }
    }

    @Test
    void aClientThatClosesWhileServedGetsItsAnswerAndTheConnectionEnds() throws Exception {
        try (EdgeServer server = server(150); Socket s = connect(server)) {
            s.getOutputStream().write(get("/a"));
            Thread.sleep(50);
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            assertThat(body(in)).isEqualTo("/a");
            assertThat(in.read()).as("closed after the answer").isEqualTo(-1);
        }
    }

    @Test
    void keptAliveConnectionsAnsweredFromOtherThreadsServeEveryRequest() throws Exception {
        try (EdgeServer server = server(0)) {
            ExecutorService clients = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int c = 0; c < 8; c++) {
                    int client = c;
                    done.add(clients.submit(() -> {
                        try (Socket s = connect(server)) {
                            InputStream in = s.getInputStream();
                            for (int i = 0; i < 500; i++) {
                                String path = "/" + client + "/" + i;
                                s.getOutputStream().write(get(path));
                                assertThat(body(in)).isEqualTo(path);
                            }
                            return 500;
                        }
                    }));
                }
                for (Future<Integer> f : done) {
                    assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(500);
                }
            } finally {
                clients.shutdownNow();
            }
        }
    }

    private static byte[] get(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** Reads one response with a Content-Length and returns its body. */
    private static String body(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a response head: " + head);
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        assertThat(h).startsWith("HTTP/1.1 200 ");
        int at = h.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
        assertThat(at).as("a Content-Length in %s", h).isPositive();
        int len = Integer.parseInt(h.substring(at + 15, h.indexOf("\r\n", at)).trim());
        return new String(in.readNBytes(len), StandardCharsets.ISO_8859_1);
    }
}
