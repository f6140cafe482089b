package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.internal.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the runtime configuration travels in bundles, to agents of this build and of the one before. */
class RuntimeConfigJsonTest {
    static RuntimeConfig config(RuntimeConfig.Limits limits, Boolean strict) {
        RuntimeConfig.SiteConfig site = new RuntimeConfig.SiteConfig("shop", List.of("shop.test"),
                new RuntimeConfig.PoolConfig(List.of("http://127.0.0.1:9"), "round_robin", null), List.of(), null,
                new RuntimeConfig.WafPolicy("block", 1, 5, 4, List.of(), null, strict));
        return new RuntimeConfig(7, new RuntimeConfig.Listeners("127.0.0.1:8000", "127.0.0.1:8443"), List.of(site), List.of(),
                new RuntimeConfig.WafRules("builtin", null), RuntimeConfig.TrustConfig.none(), RuntimeConfig.SiemConfig.disabled(), limits);
    }

    @Test
    void defaultsStayOutSoThatAgentsOfTheBuildBeforeTakeTheBundle() {
        String json = Json.write(config(RuntimeConfig.Limits.defaults(), true));
        assertThat(json).doesNotContain("limits").doesNotContain("strict_bodies");
        assertThat(Json.read(json, RuntimeConfig.class)).isEqualTo(config(RuntimeConfig.Limits.defaults(), true));
    }

    @Test
    void changedLimitsAndALenientSiteTravel() {
        RuntimeConfig.Limits d = RuntimeConfig.Limits.defaults();
        RuntimeConfig.Limits changed = new RuntimeConfig.Limits(d.maxRequestLine(), d.maxHeaderCount(), d.maxHeaderSize(), d.maxHeadersTotal(),
                d.headerTimeoutMs(), d.idleTimeoutMs(), d.minBodyRate(), d.bodyRateWindowMs(), 5, d.wafWorkers(), d.wafQueue(), d.maxArguments(),
                d.maxArgumentBytes(), d.maxJsonDepth(), d.wafBudgetMs(), d.regexSteps(), d.blockOverBudget());
        String json = Json.write(config(changed, false));
        assertThat(json).contains("\"limits\"").contains("\"max_connections_per_ip\":5").contains("\"strict_bodies\":false");
        assertThat(Json.read(json, RuntimeConfig.class)).isEqualTo(config(changed, false));
    }
}
