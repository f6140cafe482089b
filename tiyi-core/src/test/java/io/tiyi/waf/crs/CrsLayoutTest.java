package io.tiyi.waf.crs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.seclang.SecLangException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrsLayoutTest {
    @TempDir
    Path tmp;

    @Test
    void aCrs4ReleaseDirectoryIsReadWithItsVersionAndStockSetup() {
        CrsLayout l = CrsLayout.of(CrsFixtures.shared());
        assertThat(l.version()).startsWith("4.").isEqualTo(CrsFixtures.sharedVersion());
        assertThat(l.setupFile().getFileName()).hasToString("crs-setup.conf.example");
        assertThat(l.setupOrigin()).contains("stock");
        assertThat(l.ruleFiles()).isNotEmpty().allSatisfy(p -> assertThat(p.toString()).endsWith(".conf"));
        assertThat(l.ruleFiles()).isSorted();
    }

    @Test
    void aCrs3DirectoryIsRefusedNamingTheVersionAndHowToGetCrs4() throws IOException {
        Path crs3 = CrsFixtures.crs3(tmp);
        assertThatThrownBy(() -> CrsLayout.of(crs3)).isInstanceOf(SecLangException.class)
                .hasMessageContaining("CRS 3.3.4 in " + crs3 + " is not supported")
                .hasMessageContaining("tiyi crs install --from");
        // The engine's own entry point refuses it the same way.
        assertThatThrownBy(() -> TiyiWaf.builder().crs(crs3)).hasMessageContaining("CRS 3.3.4");
    }

    @Test
    void debiansSplitLayoutTakesItsSetupFromEtc() throws IOException {
        Path share = tmp.resolve("usr/share/modsecurity-crs");
        CrsFixtures.copy(CrsFixtures.shared(), share, "x-none-x", "x-none-x");
        Files.delete(share.resolve("crs-setup.conf.example"));
        Path etc = Files.createDirectories(tmp.resolve("etc/modsecurity/crs"));
        Files.copy(CrsFixtures.shared().resolve("crs-setup.conf.example"), etc.resolve("crs-setup.conf"));

        CrsLayout l = CrsLayout.of(share, etc);
        assertThat(l.setupFile()).isEqualTo(etc.resolve("crs-setup.conf"));
        assertThat(l.setupOrigin()).contains("Debian/Ubuntu package");
        assertThat(l.version()).isEqualTo(CrsFixtures.sharedVersion());

        // Without the file in etc, the message names both places.
        Files.delete(etc.resolve("crs-setup.conf"));
        assertThatThrownBy(() -> CrsLayout.of(share, etc)).hasMessageContaining("no crs-setup.conf")
                .hasMessageContaining(etc.resolve("crs-setup.conf").toString());
    }

    @Test
    void aCrs3SetupFileWithCrs4RulesIsRefused() throws IOException {
        Path dir = tmp.resolve("mixed");
        CrsFixtures.copy(CrsFixtures.shared(), dir, "x-none-x", "x-none-x");
        Files.delete(dir.resolve("crs-setup.conf.example"));
        Files.writeString(dir.resolve("crs-setup.conf"), "SecAction \"id:900990,phase:1,pass,t:none,nolog,setvar:tx.crs_setup_version=334\"\n",
                StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> CrsLayout.of(dir)).hasMessageContaining("is for CRS 3 (tx.crs_setup_version=334)");
    }

    @Test
    void aSetupFileBesideTheRulesWinsOverTheExample() throws IOException {
        Path dir = tmp.resolve("tuned");
        CrsFixtures.copy(CrsFixtures.shared(), dir, "x-none-x", "x-none-x");
        Files.copy(dir.resolve("crs-setup.conf.example"), dir.resolve("crs-setup.conf"));
        assertThat(CrsLayout.of(dir).setupFile()).isEqualTo(dir.resolve("crs-setup.conf"));
    }

    @Test
    void directoriesThatAreNoCrsAreRefusedSayingWhy() throws IOException {
        assertThatThrownBy(() -> CrsLayout.of(tmp)).hasMessageContaining("has no rules/ directory");
        Path noVersion = Files.createDirectories(tmp.resolve("custom/rules"));
        Files.writeString(noVersion.resolve("a.conf"), "SecRule ARGS \"@rx x\" \"id:1,deny\"\n");
        assertThatThrownBy(() -> CrsLayout.of(noVersion.getParent())).hasMessageContaining("no OWASP_CRS version found");
        Path noSetup = tmp.resolve("nosetup");
        CrsFixtures.copy(CrsFixtures.shared(), noSetup, "x-none-x", "x-none-x");
        Files.delete(noSetup.resolve("crs-setup.conf.example"));
        assertThatThrownBy(() -> CrsLayout.of(noSetup)).hasMessageContaining("has no crs-setup.conf or crs-setup.conf.example");
    }

    @Test
    void theVersionComesFromTheComponentSignatureNotFromAnEarlierComment() throws IOException {
        Path rules = Files.createDirectories(tmp.resolve("v/rules"));
        Files.writeString(rules.resolve("REQUEST-901-INITIALIZATION.conf"),
                "# Producer: ModSecurity; OWASP_CRS/3.1.0.\nSecComponentSignature \"OWASP_CRS/4.7.0\"\n");
        assertThat(CrsLayout.version(rules)).isEqualTo("4.7.0");
    }
}
