package io.tiyi.proxy;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.DelegateOpenListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import io.undertow.server.protocol.http2.Http2UpgradeHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The data plane's listeners, wired as Undertow wires its own, with one difference: every
 * HTTP/1.x connection (plain, or TLS after ALPN chose HTTP/1.1) gets an {@link EdgeConduit} under
 * Undertow's parser before the first byte is read. HTTP/2 (ALPN {@code h2}, an h2c upgrade, or
 * prior knowledge) is Undertow's, checked request by request in the handler chain.
 */
final class EdgeServer implements AutoCloseable {
    private final XnioWorker worker;
    private final List<AcceptingChannel<? extends StreamConnection>> channels = new ArrayList<>();
    private final List<io.undertow.server.OpenListener> listeners = new ArrayList<>();
    private InetSocketAddress http;
    private InetSocketAddress https;

    private EdgeServer(XnioWorker worker) {
        this.worker = worker;
    }

    /**
     * Opens the listeners; on failure everything opened is closed again.
     *
     * @param http the HTTP listener
     * @param https the HTTPS listener, or null
     * @param ssl the TLS context of the HTTPS listener
     * @param root the handler chain
     * @param limits the limits in force, read per connection and per request
     * @param marker how refusals reach the chain
     */
    static EdgeServer start(InetSocketAddress http, InetSocketAddress https, SSLContext ssl, HttpHandler root,
            Supplier<RuntimeConfig.Limits> limits, EdgeMarker marker) throws IOException {
        RuntimeConfig.Limits l = limits.get();
        int io = Math.max(2, Runtime.getRuntime().availableProcessors());
        Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
        XnioWorker worker = xnio.createWorker(OptionMap.builder().set(Options.WORKER_IO_THREADS, io).set(Options.WORKER_TASK_CORE_THREADS, 16)
                .set(Options.WORKER_TASK_MAX_THREADS, 16).set(Options.TCP_NODELAY, true).set(Options.CORK, true)
                .set(Options.WORKER_NAME, "tiyi-edge").getMap());
        EdgeServer server = new EdgeServer(worker);
        try {
            OptionMap socket = OptionMap.builder().set(Options.WORKER_IO_THREADS, io).set(Options.TCP_NODELAY, true)
                    .set(Options.REUSE_ADDRESSES, true).set(Options.BALANCING_TOKENS, 1).set(Options.BALANCING_CONNECTIONS, 2)
                    .set(Options.BACKLOG, 1000).getMap();
            OptionMap undertow = options(l);
            ByteBufferPool buffers = new DefaultByteBufferPool(true, 16 * 1024, -1, 4);
            HttpOpenListener plain = new HttpOpenListener(buffers, undertow);
            server.listeners.add(plain);
            // h2c: an HTTP/1.1 request may ask to upgrade to HTTP/2, as java.net.http clients do.
            plain.setRootHandler(new Http2UpgradeHandler(root));
            server.http = server.listen(http, new Http1(plain, limits, marker, true), socket, null, xnio);
            if (https != null) {
                HttpOpenListener tlsHttp1 = new HttpOpenListener(buffers, undertow);
                tlsHttp1.setRootHandler(root);
                server.listeners.add(tlsHttp1);
                AlpnOpenListener alpn = new AlpnOpenListener(buffers, undertow, new Http1(tlsHttp1, limits, marker, false));
                Http2OpenListener h2 = new Http2OpenListener(buffers, undertow);
                h2.setRootHandler(root);
                server.listeners.add(h2);
                server.listeners.add(alpn);
                alpn.addProtocol(Http2OpenListener.HTTP2, h2, 10);
                alpn.addProtocol(Http2OpenListener.HTTP2_14, h2, 7);
                server.https = server.listen(https, alpn, socket, ssl, xnio);
            }
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Undertow's options under {@code l}. Its own header limits sit above the largest the edge
     * settings allow, so that the edge's, which answer with Tiyi's page, are the ones that apply.
     */
    private static OptionMap options(RuntimeConfig.Limits l) {
        return OptionMap.builder()
                .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                .set(UndertowOptions.ENABLE_HTTP2, true)
                .set(UndertowOptions.MAX_ENTITY_SIZE, -1L)
                .set(UndertowOptions.RECORD_REQUEST_START_TIME, false)
                // Unusual bytes in the target reach the WAF, which inspects and logs them; the edge
                // has already refused what no upstream should read (control bytes).
                .set(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
                // The target stays as sent: the WAF decodes with its own transformations, and the
                // upstream receives the bytes the client sent.
                .set(UndertowOptions.DECODE_URL, false)
                .set(UndertowOptions.MAX_HEADERS, 10_100)
                .set(UndertowOptions.MAX_HEADER_SIZE, 2 * 1024 * 1024 + 8192)
                .set(UndertowOptions.MAX_PARAMETERS, 1_000_000)
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, l.idleTimeoutMs()))
                .getMap();
    }

    /** Applies changed limits to connections opened from now on. */
    void update(RuntimeConfig.Limits l) {
        OptionMap o = options(l);
        for (io.undertow.server.OpenListener ol : listeners) {
            ol.setUndertowOptions(o);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private InetSocketAddress listen(InetSocketAddress addr, ChannelListener<StreamConnection> open, OptionMap socket, SSLContext ssl, Xnio xnio)
            throws IOException {
        ChannelListener<AcceptingChannel<StreamConnection>> accept = ChannelListeners.openListenerAdapter(open);
        AcceptingChannel<? extends StreamConnection> ch;
        if (ssl == null) {
            ch = worker.createStreamConnectionServer(addr, accept, socket);
        } else {
            UndertowXnioSsl xs = new UndertowXnioSsl(xnio, OptionMap.create(Options.USE_DIRECT_BUFFERS, true), ssl);
            ch = xs.createSslConnectionServer(worker, addr, (ChannelListener) accept, socket);
        }
        channels.add(ch);
        ch.resumeAccepts();
        return (InetSocketAddress) ch.getLocalAddress();
    }

    InetSocketAddress httpAddress() {
        return http;
    }

    InetSocketAddress httpsAddress() {
        return https;
    }

    @Override
    public void close() {
        for (AcceptingChannel<? extends StreamConnection> ch : channels) {
            IoUtils.safeClose(ch);
        }
        channels.clear();
        worker.shutdownNow();
    }

    /** Puts the edge conduit under an HTTP/1.x connection, then hands it to Undertow. */
    private static final class Http1 implements DelegateOpenListener {
        private final HttpOpenListener delegate;
        private final Supplier<RuntimeConfig.Limits> limits;
        private final EdgeMarker marker;
        /** Whether connections get a {@link LazyReadsConduit}: plain ones only, as TLS reads are the TLS layer's to schedule. */
        private final boolean lazyReads;

        Http1(HttpOpenListener delegate, Supplier<RuntimeConfig.Limits> limits, EdgeMarker marker, boolean lazyReads) {
            this.delegate = delegate;
            this.limits = limits;
            this.marker = marker;
            this.lazyReads = lazyReads;
        }

        private EdgeConduit install(StreamConnection c) {
            StreamSourceConduit socket = c.getSourceChannel().getConduit();
            if (lazyReads) {
                socket = new LazyReadsConduit(socket);
                // A conduit swapped in keeps the handler of the one below; the gate must sit between them.
                socket.setReadReadyHandler(new ReadReadyHandler.ChannelListenerHandler<>(c.getSourceChannel()));
            }
            EdgeConduit edge = new EdgeConduit(socket, c, limits, marker);
            c.getSourceChannel().setConduit(edge);
            marker.register(c, edge);
            return edge;
        }

        @Override
        public void handleEvent(StreamConnection c) {
            install(c);
            delegate.handleEvent(c);
        }

        @Override
        public void handleEvent(StreamConnection c, PooledByteBuffer early) {
            EdgeConduit edge = install(c);
            if (early != null) {
                try (early) {
                    ByteBuffer b = early.getBuffer();
                    if (b.hasRemaining()) {
                        edge.prepend(b);
                    }
                } catch (IOException e) {
                    IoUtils.safeClose(c);
                    return;
                }
            }
            delegate.handleEvent(c, null);
        }

        @Override
        public HttpHandler getRootHandler() {
            return delegate.getRootHandler();
        }

        @Override
        public void setRootHandler(HttpHandler root) {
            delegate.setRootHandler(root);
        }

        @Override
        public OptionMap getUndertowOptions() {
            return delegate.getUndertowOptions();
        }

        @Override
        public void setUndertowOptions(OptionMap options) {
            delegate.setUndertowOptions(options);
        }

        @Override
        public ByteBufferPool getBufferPool() {
            return delegate.getBufferPool();
        }

        @Override
        public ConnectorStatistics getConnectorStatistics() {
            return delegate.getConnectorStatistics();
        }
    }
}
