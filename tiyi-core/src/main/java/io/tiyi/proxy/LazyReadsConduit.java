package io.tiyi.proxy;

import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Suspends reads on a plain connection only when the client actually sends while reads are
 * meant to be off.
 *
 * <p>Undertow turns reads off when a request head has been parsed and on again when the response
 * is done. Each turn is an {@code epoll_ctl} system call, two per proxied request, although a
 * client waiting for its response sends nothing meanwhile. Here a suspension is only noted; the
 * selector keeps watching the socket, and only if it reports bytes (a pipelined request, or the
 * client closing) while reads are off is the socket really taken off the selector, until reads are
 * turned on again. The readiness is level-triggered, so nothing the client sent is missed: the
 * bytes wait in the socket and are reported again once reads resume.
 *
 * <p>Undertow may resume reads from a worker thread while the I/O thread is taking the socket off
 * the selector; {@link #parked} is claimed by exactly one of them, so the socket always ends up
 * watched when reads are on.
 */
final class LazyReadsConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
    /** Whether reads are on, as Undertow sees them. */
    private volatile boolean wanted;
    /** Whether the socket is off the selector because bytes came while reads were off. */
    private final AtomicBoolean parked = new AtomicBoolean();

    LazyReadsConduit(StreamSourceConduit next) {
        super(next);
    }

    @Override
    public void setReadReadyHandler(ReadReadyHandler handler) {
        next.setReadReadyHandler(handler == null ? null : new Gate(handler));
    }

    @Override
    public void suspendReads() {
        wanted = false;
    }

    @Override
    public void resumeReads() {
        wanted = true;
        if (parked.compareAndSet(true, false)) {
            next.resumeReads();
        } else if (!next.isReadResumed()) {
            next.resumeReads();
        }
    }

    @Override
    public void wakeupReads() {
        wanted = true;
        parked.set(false);
        next.wakeupReads();
    }

    @Override
    public boolean isReadResumed() {
        return wanted;
    }

    /** Called on the I/O thread when the selector reports the socket readable. */
    private void ready(ReadReadyHandler handler) {
        if (wanted) {
            handler.readReady();
            return;
        }
        next.suspendReads();
        parked.set(true);
        // Reads may have been turned on between the check above and the suspension.
        if (wanted && parked.compareAndSet(true, false)) {
            next.resumeReads();
        }
    }

    private final class Gate implements ReadReadyHandler {
        private final ReadReadyHandler handler;

        Gate(ReadReadyHandler handler) {
            this.handler = handler;
        }

        @Override
        public void readReady() {
            ready(handler);
        }

        @Override
        public void forceTermination() {
            handler.forceTermination();
        }

        @Override
        public void terminated() {
            handler.terminated();
        }
    }
}
