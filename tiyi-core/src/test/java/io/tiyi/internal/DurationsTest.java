package io.tiyi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"90s, 90", "15m, 900", "1h, 3600", "1h30m, 5400", "7d, 604800", "1d2h3m4s, 93784", " 2H , 7200", "36500d, 3153600000"})
    void parses(String text, long seconds) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @ParameterizedTest
    @CsvSource({"500ms, 500", "1s500ms, 1500", "1m5ms, 60005", "2MS, 2", "3153600000000ms, 3153600000000"})
    void parsesMilliseconds(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "h", "10", "10x", "-5m", "1.5h", "30m1h", "1h1h", "0s", "0d0h",
        "36501d", "99999999999999999999h", "9223372036854775807s", "1h 30m",
        "0ms", "5ms1s", "1ms1ms", "1.5ms", "3153600000001ms", "1m s", "5sm"})
    void refusesNamingTheShape(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(Durations.SHAPE);
    }
}
