package io.tiyi.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClientRateLimitTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final ClientRateLimit limit = new ClientRateLimit(10, 20, now::get);

    @Test
    void aBurstThenTheRateAndTheWaitUntilTheNextCall() {
        for (int i = 0; i < 20; i++) {
            assertThat(limit.take("192.0.2.1")).as("call " + i).isZero();
        }
        assertThat(limit.take("192.0.2.1")).isEqualTo(100);
        now.addAndGet(50_000_000L);
        assertThat(limit.take("192.0.2.1")).isEqualTo(50);
        now.addAndGet(50_000_000L);
        assertThat(limit.take("192.0.2.1")).isZero();
        assertThat(limit.take("192.0.2.2")).as("another client").isZero();
        assertThat(limit.describe()).isEqualTo("10/s, bursts of 20");
    }

    @Test
    void ipv6ClientsShareTheirSlash64() {
        assertThat(ClientRateLimit.key("2001:db8:1:2:aaaa::1")).isEqualTo(ClientRateLimit.key("2001:db8:1:2:bbbb::7"))
                .isNotEqualTo(ClientRateLimit.key("2001:db8:1:3::1"));
        assertThat(ClientRateLimit.key("192.0.2.1")).isEqualTo("192.0.2.1");
        for (int i = 0; i < 20; i++) {
            limit.take("2001:db8::" + Integer.toHexString(i + 1));
        }
        assertThat(limit.take("2001:db8::ffff")).isPositive();
    }

    @Test
    void quietClientsAreForgottenWhenTheTableIsFull() {
        for (int i = 0; i < ClientRateLimit.MAX_CLIENTS; i++) {
            limit.take("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
        }
        assertThat(limit.size()).isEqualTo(ClientRateLimit.MAX_CLIENTS);
        now.addAndGet(1_000_000_000L);
        limit.take("192.0.2.9");
        assertThat(limit.size()).isEqualTo(1);
    }
}
