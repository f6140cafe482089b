package io.tiyi.proxy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Sits under Undertow's HTTP/1.1 parser on every connection and lets through only request heads
 * that {@link RequestHead} accepts, following each body's framing to find where the next head
 * starts. A refused head never reaches Undertow: in its place Undertow reads a small request of
 * Tiyi's own that carries the refusal in an {@link EdgeMarker} header, so the refusal is answered
 * by the node's handler chain like any request: Tiyi's error page with a request id, an access
 * event, and the connection closed. Everything the client sends after it is dropped.
 *
 * <p>It also keeps the connection's clocks: a head must arrive whole within
 * {@code proxy.limits.header_timeout} of its first byte (else 408), and a body must keep
 * {@code proxy.limits.min_body_rate} while the server waits for it (else the read fails with a
 * timeout and the connection closes).
 */
final class EdgeConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private enum State {
        HEAD,
        LENGTH,
        CHUNKED,
        PASSTHROUGH,
        DEAD
    }

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    /** After a 408 is handed to Undertow, how long it gets to answer before the connection is closed regardless. */
    private static final long CLOSE_GRACE_MS = 5_000;

    private final StreamConnection connection;
    private final Supplier<RuntimeConfig.Limits> limits;
    private final EdgeMarker marker;
    /** Where a read lands before it is framed; every byte is framed before the read returns, so one per thread serves every connection. */
    private static final ThreadLocal<byte[]> IN = ThreadLocal.withInitial(() -> new byte[16 * 1024]);
    private byte[] head = new byte[1024];
    private int headLen;
    private byte[] out = new byte[1024];
    private int outPos;
    private int outLen;
    private State state = State.HEAD;
    /** The limits in force at the last head, and the head's view of them, derived once per change. */
    private RuntimeConfig.Limits lastLimits;
    private RequestHead.Limits headLimits;
    private long remaining;
    private ChunkedFramer chunked;
    private boolean eof;
    private XnioExecutor.Key headTimer;
    private int headGeneration;
    /** Body bytes since the last rate check, and whether the server waited for more meanwhile. */
    private long bodyBytes;
    private boolean starved;
    private XnioExecutor.Key rateTimer;
    private boolean tooSlow;
    /** A framing error in a body, raised once the bytes before it have been read: the request they belong to fails, not its head. */
    private IOException broken;
    /** The exchange whose request is being read, told of a body cut off. */
    private volatile io.undertow.server.HttpServerExchange serving;

    EdgeConduit(StreamSourceConduit next, StreamConnection connection, Supplier<RuntimeConfig.Limits> limits, EdgeMarker marker) {
        super(next);
        this.connection = connection;
        this.limits = limits;
        this.marker = marker;
    }

    /** The exchange of the request whose body is read now (set by the chain for each HTTP/1.x request). */
    void serving(io.undertow.server.HttpServerExchange ex) {
        serving = ex;
        IOException b;
        synchronized (this) {
            b = broken;
        }
        // The body may have broken in the read that brought its head, before the chain saw the request.
        if (b != null) {
            cut(400, b.getMessage());
        }
    }

    /** Marks the exchange being served as cut off, for its access event. */
    private void cut(int status, String reason) {
        io.undertow.server.HttpServerExchange ex = serving;
        if (ex != null) {
            ex.putAttachment(Exchanges.BODY_FAILURE, new Exchanges.Refusal(status, reason));
        }
    }

    /** Bytes the client sent before this conduit was in place (read while TLS chose the protocol). */
    synchronized void prepend(ByteBuffer early) throws IOException {
        byte[] b = new byte[early.remaining()];
        early.get(b);
        process(b, 0, b.length);
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        if (tooSlow) {
            throw slow();
        }
        if (outLen > outPos) {
            return drain(dst);
        }
        if (broken != null) {
            throw broken;
        }
        switch (state) {
            case DEAD:
                return eof ? -1 : 0;
            case PASSTHROUGH:
                return next.read(dst);
            case LENGTH: {
                int n = readBody(dst);
                armRateTimer();
                return n;
            }
            default:
                break;
        }
        byte[] in = IN.get();
        while (true) {
            int n = next.read(ByteBuffer.wrap(in));
            if (n < 0) {
                eof = true;
                cancelHeadTimer();
                return outLen > outPos ? drain(dst) : -1;
            }
            if (n == 0) {
                if (state == State.CHUNKED) {
                    starved = true;
                }
                return outLen > outPos ? drain(dst) : 0;
            }
            process(in, 0, n);
            armRateTimer();
            if (outLen > outPos) {
                return drain(dst);
            }
        }
    }

    /** A Content-Length body with nothing held back: read straight into Undertow's buffer, up to the body's end. */
    private int readBody(ByteBuffer dst) throws IOException {
        int limit = dst.limit();
        if (dst.remaining() > remaining) {
            dst.limit(dst.position() + (int) remaining);
        }
        int n;
        try {
            n = next.read(dst);
        } finally {
            dst.limit(limit);
        }
        if (n > 0) {
            remaining -= n;
            bodyBytes += n;
            if (remaining == 0) {
                endBody();
            }
        } else if (n == 0) {
            starved = true;
        } else {
            eof = true;
        }
        return n;
    }

    private int drain(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), outLen - outPos);
        dst.put(out, outPos, n);
        outPos += n;
        if (outPos == outLen) {
            outPos = 0;
            outLen = 0;
        }
        return n;
    }

    private void emit(byte[] b, int off, int len) {
        if (len == 0) {
            return;
        }
        if (outLen + len > out.length) {
            if (outPos > 0) {
                System.arraycopy(out, outPos, out, 0, outLen - outPos);
                outLen -= outPos;
                outPos = 0;
            }
            if (outLen + len > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, outLen + len));
            }
        }
        System.arraycopy(b, off, out, outLen, len);
        outLen += len;
    }

    /** Runs bytes from the client through the framing, into what Undertow will read. */
    private void process(byte[] b, int off, int len) throws IOException {
        int i = off;
        int end = off + len;
        while (i < end) {
            switch (state) {
                case LENGTH -> {
                    int take = (int) Math.min(remaining, end - i);
                    emit(b, i, take);
                    i += take;
                    remaining -= take;
                    bodyBytes += take;
                    if (remaining == 0) {
                        endBody();
                    }
                }
                case CHUNKED -> {
                    int take;
                    try {
                        take = chunked.advance(b, i, end);
                    } catch (IOException e) {
                        broken = e;
                        cut(400, e.getMessage());
                        state = State.DEAD;
                        cancelRateTimer();
                        return;
                    }
                    emit(b, i, take);
                    i += take;
                    bodyBytes += take;
                    if (chunked.done()) {
                        endBody();
                    }
                }
                case PASSTHROUGH -> {
                    emit(b, i, end - i);
                    i = end;
                }
                case DEAD -> i = end;
                case HEAD -> {
                    appendHead(b, i, end);
                    i = end;
                    byte[] rest = takeHeads();
                    if (rest != null) {
                        b = rest;
                        i = 0;
                        end = rest.length;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    private void appendHead(byte[] b, int from, int to) {
        int len = to - from;
        if (headLen + len > head.length) {
            head = Arrays.copyOf(head, Math.max(head.length * 2, headLen + len));
        }
        System.arraycopy(b, from, head, headLen, len);
        headLen += len;
    }

    /**
     * Handles the head held, if it is complete (or already too big); returns the bytes after it,
     * to be processed in the state it leaves, or null when nothing more can be done yet.
     */
    private byte[] takeHeads() {
        RuntimeConfig.Limits in = limits.get();
        if (in != lastLimits) {
            lastLimits = in;
            headLimits = RequestHead.Limits.of(in);
        }
        RequestHead.Limits lim = headLimits;
        if (startsWith(head, headLen, PREFACE)) {
            // HTTP/2 with prior knowledge: Undertow's HTTP/2 handling takes over, and the handler
            // chain checks each of its requests.
            cancelHeadTimer();
            emit(head, 0, headLen);
            headLen = 0;
            state = State.PASSTHROUGH;
            return null;
        }
        if (headLen < PREFACE.length && startsWith(PREFACE, PREFACE.length, Arrays.copyOf(head, headLen))) {
            armHeadTimer();
            return null;
        }
        int e = RequestHead.end(head, 0, headLen);
        if (e < 0) {
            armHeadTimer();
            RequestHead.Result early = RequestHead.early(head, 0, headLen, lim);
            if (early == null && headLen > lim.maxHead()) {
                early = new RequestHead.Result(431, "the request head is longer than proxy.limits.max_headers_total allows", "", "", null,
                        RequestHead.Framing.NONE, 0, false);
            }
            if (early != null) {
                refuse(early);
            }
            return null;
        }
        cancelHeadTimer();
        RequestHead.Result r = RequestHead.parse(head, 0, e, lim);
        if (!r.accepted()) {
            refuse(r, Arrays.copyOf(head, e));
            return null;
        }
        byte[] rest = e == headLen ? null : Arrays.copyOfRange(head, e, headLen);
        byte[] rewritten = marker.rewrite(head, 0, e, r);
        if (rewritten == null) {
            emit(head, 0, e);
        } else {
            emit(rewritten);
        }
        headLen = 0;
        if (head.length > 64 * 1024) {
            head = new byte[1024];
        }
        switch (r.framing()) {
            case LENGTH -> {
                state = State.LENGTH;
                remaining = r.length();
                startBody();
            }
            case CHUNKED -> {
                state = State.CHUNKED;
                chunked = new ChunkedFramer();
                startBody();
            }
            default -> state = r.upgrade() ? State.PASSTHROUGH : State.HEAD;
        }
        return rest;
    }

    private void emit(byte[] b) {
        emit(b, 0, b.length);
    }

    /** Hands Undertow a request of Tiyi's own that carries the refusal, and drops everything after it. */
    private void refuse(RequestHead.Result r) {
        refuse(r, null);
    }

    private void refuse(RequestHead.Result r, byte[] refusedHead) {
        cancelHeadTimer();
        cancelRateTimer();
        // Requests already let through stay in front of the refusal, answered in order.
        headLen = 0;
        emit(marker.refusal(r, refusedHead));
        state = State.DEAD;
    }

    private static boolean startsWith(byte[] b, int len, byte[] prefix) {
        if (len < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Starts the header clock when a head is left unfinished; most heads arrive whole in one read and never need it. */
    private void armHeadTimer() {
        if (headTimer != null) {
            return;
        }
        long ms = limits.get().headerTimeoutMs();
        int generation = ++headGeneration;
        headTimer = connection.getIoThread().executeAfter(() -> headTimedOut(generation, ms), ms, TimeUnit.MILLISECONDS);
    }

    private void cancelHeadTimer() {
        if (headTimer != null) {
            headTimer.remove();
            headTimer = null;
        }
    }

    private void headTimedOut(int generation, long ms) {
        synchronized (this) {
            if (generation != headGeneration || state != State.HEAD || headLen == 0) {
                return;
            }
            refuse(new RequestHead.Result(408, "the request head did not arrive within proxy.limits.header_timeout (" + ms + " ms)", "", "",
                    null, RequestHead.Framing.NONE, 0, false));
        }
        wakeThenClose();
    }

    /** Lets the reader meet what was decided (a stand-in 408, or the failing read), and closes the connection if nothing else does soon. */
    private void wakeThenClose() {
        connection.getSourceChannel().wakeupReads();
        connection.getIoThread().executeAfter(() -> IoUtils.safeClose(connection), CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    }

    private void startBody() {
        bodyBytes = 0;
        starved = false;
    }

    /** Starts the body-rate clock once a body is left unfinished at the end of a read. */
    private void armRateTimer() {
        if (rateTimer != null || (state != State.LENGTH && state != State.CHUNKED)) {
            return;
        }
        RuntimeConfig.Limits l = limits.get();
        if (l.minBodyRate() > 0) {
            scheduleRateCheck(l.bodyRateWindowMs(), l.minBodyRate());
        }
    }

    private void scheduleRateCheck(long windowMs, long minRate) {
        rateTimer = connection.getIoThread().executeAfter(() -> checkRate(windowMs, minRate), windowMs, TimeUnit.MILLISECONDS);
    }

    private void checkRate(long windowMs, long minRate) {
        synchronized (this) {
            if (state != State.LENGTH && state != State.CHUNKED) {
                return;
            }
            // Only a window in which the server waited for bytes counts: a body the server is not
            // reading (its upstream is slow to take it) is not the client's fault.
            boolean slow = starved && bodyBytes * 1000 < minRate * windowMs;
            bodyBytes = 0;
            starved = false;
            if (!slow) {
                scheduleRateCheck(windowMs, minRate);
                return;
            }
            tooSlow = true;
            cut(408, slow().getMessage());
            state = State.DEAD;
        }
        wakeThenClose();
    }

    private SocketTimeoutException slow() {
        RuntimeConfig.Limits l = limits.get();
        return new SocketTimeoutException("request body slower than proxy.limits.min_body_rate (" + l.minBodyRate() + " bytes/s over "
                + l.bodyRateWindowMs() + " ms)");
    }

    private void endBody() {
        cancelRateTimer();
        state = State.HEAD;
        chunked = null;
    }

    private void cancelRateTimer() {
        if (rateTimer != null) {
            rateTimer.remove();
            rateTimer = null;
        }
    }

    private synchronized boolean holding() {
        return outLen > outPos || tooSlow || broken != null;
    }

    @Override
    public void resumeReads() {
        if (holding()) {
            next.wakeupReads();
        } else {
            next.resumeReads();
        }
    }

    @Override
    public void awaitReadable() throws IOException {
        if (!holding()) {
            next.awaitReadable();
        }
    }

    @Override
    public void awaitReadable(long time, TimeUnit unit) throws IOException {
        if (!holding()) {
            next.awaitReadable(time, unit);
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
        for (int i = offs; i < offs + len; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]);
            }
        }
        return 0;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        return Conduits.transfer(this, count, throughBuffer, target);
    }

    @Override
    public void terminateReads() throws IOException {
        synchronized (this) {
            cancelHeadTimer();
            cancelRateTimer();
        }
        next.terminateReads();
    }
}
