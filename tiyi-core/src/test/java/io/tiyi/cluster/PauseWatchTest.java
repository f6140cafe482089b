package io.tiyi.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The heartbeat on clocks the test moves: what counts as a pause, and the order in which the node hears of it. */
class PauseWatchTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);
    private final List<String> heard = new ArrayList<>();
    private PauseWatch watch;

    private PauseWatch watch() {
        watch = new PauseWatch(nanos::get, millis::get, gap -> heard.add(gap + " ms, stale " + watch.stale()));
        return watch;
    }

    private void advance(long ms) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
        millis.addAndGet(ms);
    }

    @Test
    void ticksWithinTheThresholdAreNoPause() {
        PauseWatch w = watch();
        for (int i = 0; i < 20; i++) {
            advance(PauseWatch.THRESHOLD.toMillis());
            assertThat(w.stale()).isFalse();
            w.tick();
        }
        assertThat(heard).isEmpty();
    }

    @Test
    void aGapAboveTheThresholdIsHeardBeforeTheHeartbeatIsRefreshed() {
        PauseWatch w = watch();
        w.tick();
        advance(3_100);
        assertThat(w.stale()).as("a state writer that runs before the ticker sees the pause").isTrue();
        assertThat(w.stalledMs()).isEqualTo(3_100);
        w.tick();
        assertThat(heard).as("the node hears of the pause while the heartbeat is still stale").containsExactly("3100 ms, stale true");
        assertThat(w.stale()).isFalse();
        advance(250);
        w.tick();
        assertThat(heard).hasSize(1);
    }

    @Test
    void aWallClockThatJumpsAheadReadsAsAPause() {
        // A suspended machine: the monotonic clock may not count the suspension, the wall clock does.
        PauseWatch w = watch();
        millis.addAndGet(60_000);
        assertThat(w.stale()).isTrue();
        w.tick();
        assertThat(heard).containsExactly("60000 ms, stale true");
    }

    @Test
    void aHeldHeartbeatReadsAsAPauseOnReleaseHoweverShortTheHold() {
        PauseWatch w = watch();
        w.hold(true);
        advance(100);
        w.tick();
        assertThat(heard).as("nothing is heard while held").isEmpty();
        w.hold(false);
        assertThat(w.stale()).isTrue();
        w.tick();
        assertThat(heard).hasSize(1);
        assertThat(heard.get(0)).startsWith(PauseWatch.THRESHOLD.toMillis() + 1 + " ms");
    }
}
