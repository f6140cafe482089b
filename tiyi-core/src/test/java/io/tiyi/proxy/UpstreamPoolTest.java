package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class UpstreamPoolTest {
    @Test
    void activeChecksTakeATargetOutAfterFallAndBackAfterRise() {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor();
        MetricRegistry metrics = new MetricRegistry();
        try (UpstreamPool pool = new UpstreamPool("demo", new RuntimeConfig.PoolConfig(List.of("http://127.0.0.1:1", "http://127.0.0.1:2"),
                "round_robin", null), s, HttpClient.newHttpClient(), metrics)) {
            UpstreamPool.Target t = pool.targets().get(0);
            String gauge = "tiyi.proxy.upstream.demo.127_0_0_1_1.healthy";
            assertThat(metrics.getGauges().get(gauge).getValue()).isEqualTo(1);
            for (int i = 0; i < UpstreamPool.FALL - 1; i++) {
                pool.record(t, false);
            }
            assertThat(t.healthy).isTrue();
            pool.record(t, false);
            assertThat(t.healthy).isFalse();
            assertThat(metrics.getGauges().get(gauge).getValue()).isEqualTo(0);
            pool.record(t, true);
            assertThat(t.healthy).isFalse();
            pool.record(t, true);
            assertThat(t.healthy).isTrue();
        } finally {
            s.shutdownNow();
        }
        assertThat(metrics.getGauges()).isEmpty();
    }
}
