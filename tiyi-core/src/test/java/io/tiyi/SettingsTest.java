package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.proxy.RuntimeConfig;
import io.tiyi.settings.LimitsSettings;
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

    @Test
    void hardeningKeysAreRegisteredWithTheDataPlanesDefaults() {
        assertThat(SettingsRegistry.all()).extracting(SettingDefinition::key).contains("proxy.limits.max_request_line",
                "proxy.limits.max_header_count", "proxy.limits.max_header_size", "proxy.limits.max_headers_total", "proxy.limits.header_timeout",
                "proxy.limits.idle_timeout", "proxy.limits.min_body_rate", "proxy.limits.body_rate_window",
                "proxy.limits.max_connections_per_ip", "proxy.waf.workers", "proxy.waf.queue", "waf.limits.max_args",
                "waf.limits.max_arg_bytes", "waf.limits.json_depth", "waf.budget.time", "waf.budget.regex_steps", "waf.budget.action");
        // Every default is valid under its own rule, and together they are the limits the data plane assumes without settings.
        for (SettingDefinition d : SettingsRegistry.all()) {
            assertThat(d.canonical(d.defaultValue())).as(d.key()).isEqualTo(d.defaultValue());
        }
        assertThat(LimitsSettings.limits(k -> SettingsRegistry.find(k).orElseThrow().defaultValue())).isEqualTo(RuntimeConfig.Limits.defaults());
    }

    @Test
    void everySettingIsDocumentedInTheCliReference() throws java.io.IOException {
        String doc = java.nio.file.Files.readString(Path.of("../docs/cli.md"));
        for (SettingDefinition d : SettingsRegistry.all()) {
            assertThat(doc).as("docs/cli.md documents %s", d.key()).contains("| `" + d.key() + "` |");
        }
    }

    @Test
    void limitsFollowTheSettingsAndOneHeaderLineMayNotOutgrowThemAll() {
        try (StateStore s = TestStores.primary(dir); var p = TestStores.pipeline(s)) {
            Settings settings = new Settings(s, p);
            settings.update("user:a", "waf.budget.time", "250ms");
            settings.update("user:a", "waf.budget.action", "pass");
            settings.update("user:a", "proxy.limits.max_header_count", "50");
            settings.update("user:a", "proxy.limits.idle_timeout", "2m");
            RuntimeConfig.Limits l = LimitsSettings.limits(settings);
            assertThat(l.wafBudgetMs()).isEqualTo(250);
            assertThat(l.blockOverBudget()).isFalse();
            assertThat(l.maxHeaderCount()).isEqualTo(50);
            assertThat(l.idleTimeoutMs()).isEqualTo(120_000);
            assertThat(l.waf(false).budget()).isEqualTo(java.time.Duration.ofMillis(250));
            assertThat(l.waf(false).blockBodyErrors()).isFalse();

            assertThatThrownBy(() -> settings.update("user:a", "proxy.limits.max_header_size", "40000"))
                    .hasMessageContaining("'40000'").hasMessageContaining("proxy.limits.max_header_size (40000)")
                    .hasMessageContaining("proxy.limits.max_headers_total (32768)");
            assertThatThrownBy(() -> settings.update("user:a", "proxy.limits.max_headers_total", "4096"))
                    .hasMessageContaining("proxy.limits.max_header_size (8192)").hasMessageContaining("proxy.limits.max_headers_total (4096)");
            settings.update("user:a", "proxy.limits.max_headers_total", "65536");
            settings.update("user:a", "proxy.limits.max_header_size", "40000");
            assertThat(LimitsSettings.limits(settings).maxHeaderSize()).isEqualTo(40000);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "siem.enabled, TRUE, true",
        "siem.format, CEF, cef",
        "siem.address, tcp://siem.internal:514, tcp://siem.internal:514",
        "siem.address, udp://10.0.0.1:514, udp://10.0.0.1:514",
        "siem.address, unixgram:///dev/log, unixgram:///dev/log",
        "logs.retention_days, 30, 30",
        "proxy.limits.max_request_line, 256, 256",
        "proxy.limits.max_headers_total, 1048576, 1048576",
        "proxy.limits.header_timeout, 1M30S, 1m30s",
        "proxy.limits.idle_timeout, 1h, 1h",
        "proxy.limits.min_body_rate, 0, 0",
        "proxy.waf.workers, 0, 0",
        "waf.limits.max_arg_bytes, 1073741824, 1073741824",
        "waf.budget.time, 500ms, 500ms",
        "waf.budget.time, 1ms, 1ms",
        "waf.budget.regex_steps, 1000000000000, 1000000000000",
        "waf.budget.action, PASS, pass"
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
        "logs.retention_days | ten | whole number",
        "proxy.limits.max_request_line | 255 | from 256 to 1048576",
        "proxy.limits.max_header_count | 10001 | from 1 to 10000",
        "proxy.limits.header_timeout | 500ms | a duration from 1s to 10m",
        "proxy.limits.header_timeout | 11m | a duration from 1s to 10m",
        "proxy.limits.idle_timeout | soon | a duration from 1s to 1h",
        "proxy.waf.queue | 0 | from 1 to 1000000",
        "waf.limits.json_depth | 0 | from 1 to 10000",
        "waf.budget.time | 0ms | a duration from 1ms to 10m",
        "waf.budget.regex_steps | 999 | from 1000 to 1000000000000",
        "waf.budget.action | drop | allowed: block, pass"
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
