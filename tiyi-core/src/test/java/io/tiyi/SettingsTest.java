package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.settings.SettingDefinition;
import io.tiyi.settings.Settings;
import io.tiyi.settings.SettingsRegistry;
import io.tiyi.store.StateStore;
import io.tiyi.store.TestStores;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsTest {
    @TempDir
    Path dir;

    @Test
    void productionGuideKeysAreRegistered() {
        assertThat(SettingsRegistry.all()).extracting(SettingDefinition::key)
                .contains("siem.enabled", "siem.address", "siem.format", "siem.filter.include_audit", "logs.retention_days");
    }

    @ParameterizedTest
    @CsvSource({
        "siem.enabled, TRUE, true",
        "siem.format, CEF, cef",
        "siem.address, tcp://siem.internal:514, tcp://siem.internal:514",
        "siem.address, udp://10.0.0.1:514, udp://10.0.0.1:514",
        "siem.address, unixgram:///dev/log, unixgram:///dev/log",
        "logs.retention_days, 30, 30"
    })
    void acceptsAndCanonicalises(String key, String value, String canonical) {
        assertThat(SettingsRegistry.find(key).orElseThrow().canonical(value)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "siem.enabled | yes | allowed: true, false",
        "siem.format | xml | allowed: rfc5424, cef, leef",
        "siem.address | http://x:1 | tcp://host:port, udp://host:port, unixgram:///path",
        "siem.address | tcp://host | tcp://host:port",
        "siem.address | unixgram://relative | unixgram:///path",
        "logs.retention_days | 0 | from 1 to 3650",
        "logs.retention_days | ten | whole number"
    })
    void refusesWithKeyValueAndAllowed(String key, String value, String allowed) {
        assertThatThrownBy(() -> SettingsRegistry.find(key).orElseThrow().canonical(value))
                .hasMessageContaining("'" + value + "'").hasMessageContaining(key).hasMessageContaining(allowed);
    }

    @Test
    void crsDirMustBeACompilingCrs4() throws java.io.IOException {
        SettingDefinition d = SettingsRegistry.find("waf.crs_dir").orElseThrow();
        Path crs = io.tiyi.waf.crs.CrsFixtures.shared();
        assertThat(d.canonical(crs + "/")).isEqualTo(crs.toString());
        assertThat(d.canonical("")).isEmpty();
        Path crs3 = io.tiyi.waf.crs.CrsFixtures.crs3(dir);
        assertThatThrownBy(() -> d.canonical(crs3.toString())).hasMessageContaining("waf.crs_dir")
                .hasMessageContaining("CRS 3.3.4").hasMessageContaining("tiyi crs install");
        assertThatThrownBy(() -> d.canonical("relative/crs")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> d.canonical(dir.toString())).hasMessageContaining("no rules/ directory");
        // A CRS 4 whose rules do not compile is refused now, naming the file, not when bundles are built.
        Path broken = dir.resolve("broken");
        io.tiyi.waf.crs.CrsFixtures.copy(crs, broken, "x-none-x", "x-none-x");
        java.nio.file.Files.writeString(broken.resolve("rules/REQUEST-999-LOCAL.conf"), "SecRule ARGS \"@nosuchop x\" \"id:1,deny\"\n");
        assertThatThrownBy(() -> d.canonical(broken.toString())).hasMessageContaining("REQUEST-999-LOCAL.conf");
    }

    @Test
    void updatesAreStoredAuditedAndUnknownKeysRefused() {
        try (StateStore s = TestStores.primary(dir); var p = TestStores.pipeline(s)) {
            Settings settings = new Settings(s, p);
            assertThat(settings.get("siem.format").isDefault()).isTrue();
            settings.update("user:a", "siem.format", "LEEF");
            assertThat(settings.value("siem.format")).isEqualTo("leef");
            assertThat(settings.get("siem.format").updatedBy()).isEqualTo("user:a");
            assertThatThrownBy(() -> settings.update("user:a", "siem.fromat", "x")).hasMessageContaining("unknown setting 'siem.fromat'");
            assertThatThrownBy(() -> settings.update("user:a", "siem.format", "xml")).hasMessageContaining("allowed");
            assertThat(settings.value("siem.format")).isEqualTo("leef");
        }
    }
}
