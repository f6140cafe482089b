package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@link TrafficCounter}: minutes close by their end, the open keys are bounded, and concurrent counts add up. */
class TrafficCounterTest {
    static final long T0 = 1_800_000_000_000L - 1_800_000_000_000L % 60_000;

    final Counter dropped = new Counter();
    final TrafficCounter counter = new TrafficCounter(dropped);

    @Test
    void aMinuteClosesOnlyOnceItHasEndedAndIsReturnedOnce() {
        counter.count("shop", T0);
        counter.count("shop", T0 + 59_999);
        counter.count("blog", T0 + 30_000);
        counter.count("shop", T0 + 60_000);
        counter.count(null, T0 + 1);

        assertThat(counter.close(T0 + 59_999)).as("the first minute has not ended").isEmpty();
        assertThat(counter.close(T0 + 60_000)).containsExactlyInAnyOrder(new TrafficCounter.Minute("shop", T0, 2),
                new TrafficCounter.Minute("blog", T0, 1), new TrafficCounter.Minute("", T0, 1));
        assertThat(counter.close(T0 + 60_000)).as("shipped once").isEmpty();
        assertThat(counter.open()).isEqualTo(1);

        counter.count("shop", T0 + 10);
        assertThat(counter.close(T0 + 120_000)).as("a late request reopens its minute: one more entry")
                .containsExactlyInAnyOrder(new TrafficCounter.Minute("shop", T0, 1), new TrafficCounter.Minute("shop", T0 + 60_000, 1));
        assertThat(counter.open()).isZero();
    }

    @Test
    void pastTenThousandOpenMinutesANewOneIsDroppedAndCountedWhileOpenOnesStillCount() {
        for (int i = 0; i < TrafficCounter.MAX_KEYS; i++) {
            counter.count("site-" + i, T0);
        }
        counter.count("one-too-many", T0);
        counter.count("site-0", T0 + 1);
        assertThat(counter.open()).isEqualTo(TrafficCounter.MAX_KEYS);
        assertThat(dropped.getCount()).isEqualTo(1);

        List<TrafficCounter.Minute> closed = counter.close(T0 + 60_000);
        assertThat(closed).hasSize(TrafficCounter.MAX_KEYS).contains(new TrafficCounter.Minute("site-0", T0, 2));
        counter.count("one-too-many", T0 + 60_000);
        assertThat(counter.open()).as("closing makes room again").isEqualTo(1);
    }

    @Test
    void anOverlongSiteIsCutToWhatTheControlPlaneTakes() {
        counter.count("s".repeat(5000), T0);
        assertThat(counter.close(T0 + 60_000)).singleElement().satisfies(m -> assertThat(m.site()).hasSize(1024));
    }

    @Test
    void requestThreadsCountingAtOnceLoseNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        counter.count(i % 2 == 0 ? "shop" : "blog", T0 + i);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(counter.close(Long.MAX_VALUE)).extracting(TrafficCounter.Minute::requests).containsOnly(40_000L).hasSize(2);
    }
}
