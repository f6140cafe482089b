package io.tiyi.cluster;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A heartbeat that tells a primary it did not run for a while: a stopped process ({@code kill
 * -STOP}), a long garbage-collection pause or a frozen virtual machine. While it stood still a
 * forced promotion may have made it stale, and nothing it had in flight shows that.
 *
 * <p>A dedicated thread ticks every {@link #TICK}. Two checks cover the two orders in which the
 * threads of a process that continues may run again:
 *
 * <ul>
 *   <li>the ticker sees the gap since its previous tick and reports it ({@code frozen}) before it
 *       refreshes the tick, so a state writer that sees a fresh tick sees the reaction too;
 *   <li>the state writer, before each commit, sees a tick older than {@link #THRESHOLD} when it
 *       runs before the ticker (see {@link #stalledMs}).
 * </ul>
 *
 * <p>Both the monotonic clock and the wall clock are watched: the monotonic one goes on while a
 * process is stopped, the wall clock also across a suspended machine. A wall clock stepped
 * forward reads as a pause too, which costs only a re-confirmation. The threshold is far above
 * the scheduling delay of a loaded machine (ticks late by tens of milliseconds) and well below
 * the time an operator needs to find a primary unreachable and force a promotion.
 */
final class PauseWatch implements AutoCloseable {
    /** How often the heartbeat ticks. */
    static final Duration TICK = Duration.ofMillis(250);
    /** A heartbeat older than this means the node did not run. */
    static final Duration THRESHOLD = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(PauseWatch.class);

    private final LongSupplier nanos;
    private final LongSupplier millis;
    private final LongConsumer frozen;
    private volatile long lastNanos;
    private volatile long lastMillis;
    private volatile boolean held;
    private volatile Thread ticker;

    /** @param frozen hears how long, in ms, the node did not run; called on the ticker thread, before the tick is refreshed */
    PauseWatch(LongConsumer frozen) {
        this(System::nanoTime, System::currentTimeMillis, frozen);
    }

    PauseWatch(LongSupplier nanos, LongSupplier millis, LongConsumer frozen) {
        this.nanos = nanos;
        this.millis = millis;
        this.frozen = frozen;
        this.lastNanos = nanos.getAsLong();
        this.lastMillis = millis.getAsLong();
    }

    /** Starts the ticker thread. */
    synchronized PauseWatch start() {
        if (ticker == null) {
            lastNanos = nanos.getAsLong();
            lastMillis = millis.getAsLong();
            Thread t = new Thread(this::run, "tiyi-pause-watch");
            t.setDaemon(true);
            // Late ticks are what this thread must not cause itself.
            t.setPriority(Thread.MAX_PRIORITY);
            ticker = t;
            t.start();
        }
        return this;
    }

    private void run() {
        while (ticker == Thread.currentThread()) {
            LockSupport.parkNanos(TICK.toNanos());
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.error("cluster: the pause watch failed to react to a pause ({}); writes stay refused until it does", e.toString(), e);
            }
        }
    }

    /** One tick: reports a gap above the threshold, then refreshes the heartbeat; nothing while held. */
    void tick() {
        if (held) {
            return;
        }
        long gap = stalledMs();
        if (gap > THRESHOLD.toMillis()) {
            frozen.accept(gap);
        }
        lastNanos = nanos.getAsLong();
        lastMillis = millis.getAsLong();
    }

    /** How long ago the heartbeat last ticked, ms, by whichever clock says longer. */
    long stalledMs() {
        long mono = TimeUnit.NANOSECONDS.toMillis(nanos.getAsLong() - lastNanos);
        long wall = millis.getAsLong() - lastMillis;
        return Math.max(mono, wall);
    }

    /** Whether the heartbeat is older than the threshold: the node did not run, and the ticker has not reacted yet. */
    boolean stale() {
        return stalledMs() > THRESHOLD.toMillis();
    }

    /**
     * For fault drills: a held heartbeat stands still, as a stopped process's would; on release it
     * reads as a pause longer than the threshold, however short the hold was, so a drill that
     * compresses time still shows the node what a real pause would.
     */
    void hold(boolean hold) {
        if (hold) {
            held = true;
            return;
        }
        long back = THRESHOLD.toMillis() + 1;
        lastNanos = Math.min(lastNanos, nanos.getAsLong() - TimeUnit.MILLISECONDS.toNanos(back));
        lastMillis = Math.min(lastMillis, millis.getAsLong() - back);
        held = false;
    }

    @Override
    public synchronized void close() {
        Thread t = ticker;
        ticker = null;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
