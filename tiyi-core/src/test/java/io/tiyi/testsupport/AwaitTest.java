package io.tiyi.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
    @Test
    void returnsAsSoonAsTheConditionHolds() {
        AtomicInteger polls = new AtomicInteger();
        Await.until(Duration.ofSeconds(5), "the third poll", () -> polls.incrementAndGet() >= 3);
        assertThat(polls.get()).isEqualTo(3);
        assertThat(Await.value(Duration.ofSeconds(5), "a value", () -> Optional.of("v"))).isEqualTo("v");
    }

    @Test
    void failsNamingWhatItWaitedForAndTheTimeout() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Await.until(Duration.ofMillis(300), "the impossible", () -> false))
                .isInstanceOf(AssertionError.class).hasMessage("timed out after PT0.3S waiting for the impossible");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
        AtomicInteger seen = new AtomicInteger();
        assertThatThrownBy(() -> Await.until(Duration.ofMillis(50), () -> "seven, last saw " + seen.get(), () -> seen.incrementAndGet() == 7))
                .hasMessageStartingWith("timed out after PT0.05S waiting for seven, last saw ");
    }
}
