package io.tiyi.proxy;

import com.codahale.metrics.MetricRegistry;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads WAF phases 1 and 2 run on ({@code proxy.waf.workers}), with a bounded queue
 * ({@code proxy.waf.queue}): inspection never runs on an I/O thread, so an expensive request slows
 * only itself and the requests queued behind it, never the listeners, {@code /healthz} or
 * sites without the WAF. A full queue refuses new requests (503) rather than holding them.
 */
final class WafPool implements Executor {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor pool;
    private final int threads;
    private final int queue;

    WafPool(int threads, int queue, MetricRegistry metrics) {
        this.threads = threads;
        this.queue = queue;
        int n = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "tiyi-waf-" + n + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        metrics.remove("tiyi.waf.pool.queued");
        metrics.remove("tiyi.waf.pool.active");
        metrics.gauge("tiyi.waf.pool.queued", () -> () -> pool.getQueue().size());
        metrics.gauge("tiyi.waf.pool.active", () -> pool::getActiveCount);
    }

    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    int threads() {
        return threads;
    }

    int queue() {
        return queue;
    }

    /** Takes no more work; what is queued still runs. */
    void retire() {
        pool.shutdown();
    }
}
