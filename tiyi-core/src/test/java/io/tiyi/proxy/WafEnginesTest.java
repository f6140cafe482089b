package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.waf.TiyiWaf;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A site's engine runs under the node's limits and the site's strict-bodies switch, and is rebuilt when either changes. */
class WafEnginesTest {
    static final RuntimeConfig.WafRules BUILTIN = new RuntimeConfig.WafRules("builtin", null);

    static RuntimeConfig.Limits limits(int maxArgs, long budgetMs, boolean blockOverBudget) {
        RuntimeConfig.Limits d = RuntimeConfig.Limits.defaults();
        return new RuntimeConfig.Limits(d.maxRequestLine(), d.maxHeaderCount(), d.maxHeaderSize(), d.maxHeadersTotal(), d.headerTimeoutMs(),
                d.idleTimeoutMs(), d.minBodyRate(), d.bodyRateWindowMs(), d.maxConnectionsPerIp(), d.wafWorkers(), d.wafQueue(), maxArgs,
                d.maxArgumentBytes(), d.maxJsonDepth(), budgetMs, d.regexSteps(), blockOverBudget);
    }

    @Test
    void theEngineCarriesTheLimitsAndTheSitesSwitch() {
        WafEngines engines = new WafEngines();
        RuntimeConfig.WafPolicy lenient = new RuntimeConfig.WafPolicy("block", 1, 5, 4, List.of(), null, false);
        RuntimeConfig.Limits tight = limits(3, 250, false);
        TiyiWaf w = engines.engine(BUILTIN, lenient, tight);
        assertThat(w.limits()).isEqualTo(tight.waf(false));
        assertThat(w.limits().maxArguments()).isEqualTo(3);
        assertThat(w.limits().budget()).hasMillis(250);
        assertThat(w.limits().blockBodyErrors()).isFalse();
        assertThat(w.limits().blockOverBudget()).isFalse();

        assertThat(engines.engine(BUILTIN, lenient, limits(3, 250, false))).as("same policy, same limits: same engine").isSameAs(w);
        assertThat(engines.engine(BUILTIN, lenient, limits(4, 250, false)).limits().maxArguments()).isEqualTo(4);
        RuntimeConfig.WafPolicy strict = new RuntimeConfig.WafPolicy("block", 1, 5, 4, List.of(), null, true);
        assertThat(engines.engine(BUILTIN, strict, tight).limits().blockBodyErrors()).isTrue();
        assertThat(engines.engine(BUILTIN, RuntimeConfig.WafPolicy.defaults(), RuntimeConfig.Limits.defaults()).limits())
                .isEqualTo(io.tiyi.waf.WafLimits.defaults());
    }

    @Test
    void newLimitsRetireTheEnginesOfTheOldOnes() {
        WafEngines engines = new WafEngines();
        RuntimeConfig.WafPolicy p = RuntimeConfig.WafPolicy.defaults();
        RuntimeConfig.SiteConfig site = new RuntimeConfig.SiteConfig("shop", List.of("shop.test"),
                new RuntimeConfig.PoolConfig(List.of("http://127.0.0.1:9"), "round_robin", null), List.of(), null, p);
        TiyiWaf before = engines.engine(BUILTIN, p, RuntimeConfig.Limits.defaults());
        RuntimeConfig.Limits changed = limits(10, 1000, true);
        engines.retainOnly(new RuntimeConfig(2, new RuntimeConfig.Listeners("127.0.0.1:0", "127.0.0.1:0"), List.of(site), List.of(), BUILTIN,
                RuntimeConfig.TrustConfig.none(), RuntimeConfig.SiemConfig.disabled(), changed));
        assertThat(engines.engine(BUILTIN, p, RuntimeConfig.Limits.defaults())).as("dropped: a new one is built").isNotSameAs(before);
    }
}
