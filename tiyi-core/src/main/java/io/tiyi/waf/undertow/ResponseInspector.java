package io.tiyi.waf.undertow;

import io.tiyi.waf.Transaction;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.ConduitWritableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSinkConduit;

/**
 * Watches a response on its way out: the response phase (3) runs with the status and headers
 * when the first byte is written, and the body phase (4) on a copy of the body (up to the rule
 * set's limit) when the response ends. The response itself streams unchanged: by the time its
 * body is known it has been sent, so response rules detect and report but cannot replace it.
 */
final class ResponseInspector extends AbstractStreamSinkConduit<StreamSinkConduit> {
    private final HttpServerExchange exchange;
    private final Transaction tx;
    private boolean started;
    private boolean wantBody;
    private boolean finished;

    ResponseInspector(StreamSinkConduit next, HttpServerExchange exchange, Transaction tx) {
        super(next);
        this.exchange = exchange;
        this.tx = tx;
    }

    /** Runs phase 3 once, from the exchange's status and headers. */
    static void headers(HttpServerExchange ex, Transaction tx) {
        for (HeaderValues hv : ex.getResponseHeaders()) {
            for (String v : hv) {
                tx.addResponseHeader(hv.getHeaderName().toString(), v);
            }
        }
        tx.processResponseHeaders(ex.getStatusCode(), ex.getProtocol().toString());
    }

    private void start() {
        if (!started) {
            started = true;
            headers(exchange, tx);
            wantBody = tx.wantsResponseBody();
        }
    }

    private void copy(ByteBuffer src, int fromPosition) {
        if (!wantBody) {
            return;
        }
        int written = src.position() - fromPosition;
        if (written <= 0) {
            return;
        }
        byte[] b = new byte[written];
        ByteBuffer dup = src.duplicate();
        dup.position(fromPosition);
        dup.get(b);
        tx.appendResponseBody(b, 0, b.length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        start();
        int pos = src.position();
        int n = next.write(src);
        copy(src, pos);
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
        start();
        int[] pos = new int[len];
        for (int i = 0; i < len; i++) {
            pos[i] = srcs[offs + i].position();
        }
        long n = next.write(srcs, offs, len);
        for (int i = 0; i < len; i++) {
            copy(srcs[offs + i], pos[i]);
        }
        return n;
    }

    @Override
    public int writeFinal(ByteBuffer src) throws IOException {
        return Conduits.writeFinalBasic(this, src);
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
        return Conduits.writeFinalBasic(this, srcs, offs, len);
    }

    @Override
    public long transferFrom(FileChannel src, long position, long count) throws IOException {
        return src.transferTo(position, count, new ConduitWritableByteChannel(this));
    }

    @Override
    public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
        return org.xnio.IoUtils.transfer(source, count, throughBuffer, new ConduitWritableByteChannel(this));
    }

    @Override
    public void terminateWrites() throws IOException {
        finish();
        super.terminateWrites();
    }

    @Override
    public void truncateWrites() throws IOException {
        finish();
        super.truncateWrites();
    }

    private void finish() {
        if (!finished) {
            finished = true;
            start();
            tx.processResponseBody();
        }
    }
}
