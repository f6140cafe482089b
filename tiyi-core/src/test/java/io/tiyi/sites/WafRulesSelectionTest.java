package io.tiyi.sites;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.proxy.RuntimeConfig;
import io.tiyi.waf.crs.CrsFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which rules a node runs: a CRS that cannot be used never takes sites down. */
class WafRulesSelectionTest {
    @TempDir
    Path tmp;

    @Test
    void aCrs4DebianPackageIsDetectedAndACrs3OneSkipped() throws IOException {
        Path share = tmp.resolve("usr/share/modsecurity-crs");
        Path etc = Files.createDirectories(tmp.resolve("etc/modsecurity/crs"));
        assertThat(RuntimeCompiler.wafRules("", share, etc)).isEqualTo(new RuntimeConfig.WafRules("builtin", null));

        CrsFixtures.copy(CrsFixtures.shared(), share, "x-none-x", "x-none-x");
        Files.move(share.resolve("crs-setup.conf.example"), etc.resolve("crs-setup.conf"));
        assertThat(RuntimeCompiler.wafRules("", share, etc)).isEqualTo(new RuntimeConfig.WafRules("crs", share.toString()));

        Path share3 = tmp.resolve("v3/usr/share/modsecurity-crs");
        CrsFixtures.copy(CrsFixtures.shared(), share3, "OWASP_CRS/" + CrsFixtures.sharedVersion(), "OWASP_CRS/3.3.4");
        assertThat(RuntimeCompiler.wafRules(null, share3, etc)).isEqualTo(new RuntimeConfig.WafRules("builtin", null));
    }

    @Test
    void aConfiguredCrsThatWentAwayFallsBackToTheBuiltInRules() throws IOException {
        Path crs = tmp.resolve("crs");
        CrsFixtures.copy(CrsFixtures.shared(), crs, "x-none-x", "x-none-x");
        Path none = tmp.resolve("none");
        assertThat(RuntimeCompiler.wafRules(crs.toString(), none, none)).isEqualTo(new RuntimeConfig.WafRules("crs", crs.toString()));
        Files.delete(crs.resolve("crs-setup.conf.example"));
        assertThat(RuntimeCompiler.wafRules(crs.toString(), none, none)).isEqualTo(new RuntimeConfig.WafRules("builtin", null));
    }
}
