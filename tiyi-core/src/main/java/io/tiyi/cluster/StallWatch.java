package io.tiyi.cluster;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the read-write primary, every few seconds: which secondaries stand still behind it
 * ({@link Followers}), told to a listener (the Replication Stalled alert), and idle snapshot files
 * deleted. One WARNING line when a secondary stalls, one INFO line when none does any more.
 */
final class StallWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StallWatch.class);
    private static final long PERIOD_MS = 5_000;

    private final ReplicationSource source;
    private final LongSupplier lastSeq;
    private final BooleanSupplier primary;
    private volatile Consumer<String> stalled = d -> {};
    private volatile Runnable recovered = () -> {};
    private ScheduledExecutorService timer;
    private boolean wasStalled;

    StallWatch(ReplicationSource source, LongSupplier lastSeq, BooleanSupplier primary) {
        this.source = source;
        this.lastSeq = lastSeq;
        this.primary = primary;
    }

    void listen(Consumer<String> onStalled, Runnable onRecovered) {
        this.stalled = onStalled;
        this.recovered = onRecovered;
    }

    synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tiyi-replication-stall-watch");
            t.setDaemon(true);
            return t;
        });
        long period = Math.min(PERIOD_MS, Followers.stallAfterMs() / 3);
        timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** One round; runs on the timer, and directly in tests. */
    void check() {
        try {
            source.expireSnapshots();
            if (!primary.getAsBoolean()) {
                return;
            }
            List<Followers.Stalled> now = source.followers().stalled(lastSeq.getAsLong());
            for (Followers.Stalled s : now) {
                if (!wasStalled) {
                    LOG.warn("cluster: replication stalled: {}", s.detail());
                }
                stalled.accept(s.detail());
            }
            if (now.isEmpty() && wasStalled) {
                LOG.info("cluster: no secondary is stalled any more");
                recovered.run();
            }
            wasStalled = !now.isEmpty();
        } catch (RuntimeException e) {
            LOG.warn("cluster: the replication stall check failed ({}); it runs again in {} s", e.toString(), PERIOD_MS / 1000);
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
