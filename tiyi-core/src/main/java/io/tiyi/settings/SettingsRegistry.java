package io.tiyi.settings;

import io.tiyi.siem.SiemAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every runtime setting Tiyi knows, in one place. */
public final class SettingsRegistry {
    private static final Map<String, SettingDefinition> ALL = new LinkedHashMap<>();

    static {
        add(SettingDefinition.bool("siem.enabled", false, "Forward events to the SIEM destination"));
        add(SettingDefinition.address("siem.address", "", List.of(SiemAddress.SHAPES.split(", ")),
                "SIEM destination: tcp://host:port, udp://host:port or unixgram:///path"));
        add(SettingDefinition.oneOf("siem.format", "rfc5424", List.of("rfc5424", "cef", "leef"), "SIEM message format"));
        add(SettingDefinition.bool("siem.filter.include_audit", false, "Also forward audit events to the SIEM"));
        add(SettingDefinition.bool("siem.filter.include_access", false, "Also forward access events (one per request) to the SIEM"));
        add(SettingDefinition.decimal("siem.filter.access_sample_rate", "1", 0, 1,
                "Share of access events forwarded when siem.filter.include_access is true, 0 to 1 (0.01 = one in a hundred)"));
        add(SettingDefinition.oneOf("siem.filter.min_severity", "info", List.of("debug", "info", "notice", "warning", "error", "critical"),
                "Least severe event forwarded: access info, detected attack notice, blocked attack warning, error error, alert critical"));
        add(SettingDefinition.listen("proxy.http_addr", "127.0.0.1:8000", "Data-plane HTTP listener of every node (a node's --http-addr wins)"));
        add(SettingDefinition.listen("proxy.https_addr", "127.0.0.1:8443",
                "Data-plane HTTPS listener, opened once a certificate exists (a node's --https-addr wins)"));
        add(SettingDefinition.crsDir("waf.crs_dir",
                "OWASP CRS 4 directory (rules/ and crs-setup.conf or its .example; 'tiyi crs install' sets it); empty:"
                        + " /usr/share/modsecurity-crs if it holds CRS 4, else Tiyi's built-in rules"));
        add(SettingDefinition.rulesDirs("waf.rules_dirs",
                "Directories, besides the CRS rules directory, that sites' custom rules may Include and read data files"
                        + " (@pmFromFile, @ipMatchFromFile) from; absolute, comma-separated (empty: none)"));
        add(SettingDefinition.integer("logs.retention_days", 14, 1, 3650, "Days of logs/ partition files to keep"));
        add(SettingDefinition.integer("logs.max_bytes", 0, 0, Long.MAX_VALUE,
                "Most bytes logs/ partition files may take; the oldest whole partitions go first (0: no limit)"));
        add(SettingDefinition.integer("releases.keep", 3, 0, 1000,
                "Imported releases to keep: each import deletes the oldest beyond this many, except those in use (0: keep all)"));
        add(SettingDefinition.path("backup.stream.dir",
                "Directory the primary streams its mutation log and snapshots to, for point-in-time restores (empty: off)"));
        add(SettingDefinition.duration("backup.stream.retention", "7d", "How long streamed generations and snapshots are kept"));
        add(SettingDefinition.duration("backup.stream.snapshot_interval", "6h", "How often the stream takes a new snapshot"));
        add(SettingDefinition.httpsUrl("trust.cdn.cloudflare.url", "https://api.cloudflare.com/client/v4/ips",
                "Where 'tiyi trust cdn refresh cloudflare' fetches Cloudflare's ranges"));
        add(SettingDefinition.httpsUrl("trust.cdn.fastly.url", "https://api.fastly.com/public-ip-list",
                "Where 'tiyi trust cdn refresh fastly' fetches Fastly's ranges"));
        LimitsSettings.definitions().forEach(SettingsRegistry::add);
    }

    private SettingsRegistry() {}

    private static void add(SettingDefinition d) {
        ALL.put(d.key(), d);
    }

    public static Collection<SettingDefinition> all() {
        return ALL.values();
    }

    public static Optional<SettingDefinition> find(String key) {
        return Optional.ofNullable(ALL.get(key));
    }
}
