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
