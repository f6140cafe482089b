package io.tiyi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesUpToTheMaximumAndStartsOverAfterASuccess() {
        Backoff b = Backoff.exponential(Duration.ofMillis(200), Duration.ofMillis(1000));
        assertThat(b.backingOff()).isFalse();
        assertThat(b.nextStepMs()).isEqualTo(200);
        assertThat(new long[] {b.failed(), b.failed(), b.failed(), b.failed(), b.failed()}).containsExactly(200, 400, 800, 1000, 1000);
        assertThat(b.backingOff()).isTrue();
        b.succeeded();
        assertThat(b.backingOff()).isFalse();
        assertThat(b.failed()).isEqualTo(200);
    }

    @Test
    void jitterStaysWithinHalfAndWholeOfEachStep() {
        Backoff b = Backoff.jittered(Duration.ofMillis(500), Duration.ofSeconds(30));
        long step = 500;
        for (int i = 0; i < 12; i++) {
            long wait = b.failed();
            assertThat(wait).isBetween(step / 2, step);
            step = Math.min(30_000, step * 2);
        }
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1))).hasMessageContaining("0 < first <= max");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("0 < first <= max");
    }
}
