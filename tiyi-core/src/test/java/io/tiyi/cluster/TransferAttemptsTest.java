package io.tiyi.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A download gives up only after attempts in a row that fetched nothing; progress starts the count again. */
class TransferAttemptsTest {
    @Test
    void givesUpAfterTheLimitOfAttemptsInARowWithoutProgress() {
        TransferAttempts a = new TransferAttempts(3);

        assertThat(a.failed(0)).isTrue();
        assertThat(a.failed(0)).isTrue();
        assertThat(a.failed(0)).isFalse();
        assertThat(a.withoutProgress()).isEqualTo(3);
    }

    @Test
    void aTransferThatKeepsAdvancingBetweenRefusalsNeverGivesUp() {
        TransferAttempts a = new TransferAttempts(3);

        // A large snapshot paced by the primary: a refusal after every few ranges, many more times than the limit.
        for (int i = 0; i < 100; i++) {
            assertThat(a.failed(8L << 20)).as("refusal %d after progress", i).isTrue();
        }
        assertThat(a.withoutProgress()).isZero();
        assertThat(a.failed(0)).isTrue();
        assertThat(a.failed(0)).isTrue();
        assertThat(a.failed(0)).isFalse();
    }

    @Test
    void aPartialFileThatShrankIsNoProgress() {
        TransferAttempts a = new TransferAttempts(2);

        // A download whose hash did not match deletes its partial file.
        assertThat(a.failed(-(8L << 20))).isTrue();
        assertThat(a.failed(-1)).isFalse();
    }

    @Test
    void aLimitBelowOneIsRefusedByName() {
        assertThatThrownBy(() -> new TransferAttempts(0)).isInstanceOf(IllegalArgumentException.class).hasMessage(
                "limit must be at least 1, got 0");
    }
}
