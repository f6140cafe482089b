package io.tiyi.proxy;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Counts origin bypass attempts at the data plane (requests that claim a client address through a
 * peer that is not a trusted proxy) until the agent's next state report takes them. Lock-free:
 * it runs on request threads.
 */
public final class OriginBypass {
    private final AtomicLong pending = new AtomicLong();
    private final AtomicReference<String> lastSample = new AtomicReference<>();
    private final Counter total;

    /**
     * What the data plane saw since the last report.
     *
     * @param count attempts
     * @param sample the last one, as {@code peer -> host}, or null
     */
    public record Seen(long count, String sample) {}

    public OriginBypass(MetricRegistry metrics) {
        this.total = metrics.counter("tiyi_proxy_origin_bypass_attempts");
    }

    void record(String peer, String host) {
        // The sample first: a report that takes this attempt's count then always has a sample.
        lastSample.set(peer + " -> " + (host == null ? "" : host));
        pending.incrementAndGet();
        total.inc();
    }

    /** Adds back attempts that could not be reported. */
    void restore(Seen seen) {
        pending.addAndGet(seen.count());
        if (seen.sample() != null) {
            lastSample.compareAndSet(null, seen.sample());
        }
    }

    /** Takes the attempts seen since the last call. */
    public Seen drain() {
        long n = pending.getAndSet(0);
        return new Seen(n, n == 0 ? null : lastSample.get());
    }
}
