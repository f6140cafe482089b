package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.crs.CrsFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WafEnginesFallbackTest {
    @TempDir
    Path tmp;

    @Test
    void aCrsThatStoppedCompilingGivesWayToTheBuiltInRules() throws IOException {
        Path crs = tmp.resolve("crs");
        CrsFixtures.copy(CrsFixtures.shared(), crs, "x-none-x", "x-none-x");
        RuntimeConfig.WafRules rules = new RuntimeConfig.WafRules("crs", crs.toString());
        TiyiWaf good = WafEngines.build(rules, RuntimeConfig.WafPolicy.defaults(), RuntimeConfig.Limits.defaults());
        TiyiWaf builtin = WafEngines.build(new RuntimeConfig.WafRules("builtin", null), RuntimeConfig.WafPolicy.defaults(), RuntimeConfig.Limits.defaults());
        assertThat(good.ruleCount()).isGreaterThan(builtin.ruleCount());

        Files.writeString(crs.resolve("rules/REQUEST-999-LOCAL.conf"), "SecRule ARGS \"@nosuchop x\" \"id:1,deny\"\n");
        TiyiWaf fallback = WafEngines.build(rules, RuntimeConfig.WafPolicy.defaults(), RuntimeConfig.Limits.defaults());
        assertThat(fallback.ruleCount()).isEqualTo(builtin.ruleCount());
    }
}
