package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A client's request id is kept only when it is a plain token. */
class RequestIdHandlerTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "a|true", "A-z_0.9|true", "''|false", "a b|false", "a/b|false", "a;b|false", "\u00e9|false", "'a\u0001b'|false", "a+b|false", "a~b|false",
    })
    void keepsOnlyPlainTokens(String id, boolean kept) {
        assertThat(RequestIdHandler.valid(id)).isEqualTo(kept);
        assertThat(id.matches("[A-Za-z0-9._-]{1,128}")).as("the grammar itself").isEqualTo(kept);
    }

    @org.junit.jupiter.api.Test
    void keepsAtMost128Characters() {
        assertThat(RequestIdHandler.valid("a".repeat(128))).isTrue();
        assertThat(RequestIdHandler.valid("a".repeat(129))).isFalse();
    }
}
