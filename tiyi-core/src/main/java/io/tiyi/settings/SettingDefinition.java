package io.tiyi.settings;

import io.tiyi.TiyiException;
import io.tiyi.siem.SiemAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One typed runtime setting: its key, type, default, description and validation. Values are
 * stored as their canonical string form.
 *
 * @param key dotted key, for example {@code siem.format}
 * @param type value type
 * @param defaultValue canonical default
 * @param description one line for {@code tiyi system settings list}
 * @param allowed the allowed values of an enum, or the accepted shapes of an address
 * @param min smallest int or decimal value; for a bounded duration, its shortest in milliseconds
 * @param max largest int or decimal value; for a bounded duration, its longest in milliseconds (0: up to
 *     {@link io.tiyi.internal.Durations#MAX})
 */
public record SettingDefinition(String key, SettingType type, String defaultValue, String description, List<String> allowed,
        long min, long max) {

    public SettingDefinition {
        Objects.requireNonNull(key);
        Objects.requireNonNull(type);
        Objects.requireNonNull(defaultValue);
        allowed = List.copyOf(allowed);
    }

    static SettingDefinition bool(String key, boolean def, String description) {
        return new SettingDefinition(key, SettingType.BOOL, Boolean.toString(def), description, List.of("true", "false"), 0, 0);
    }

    static SettingDefinition integer(String key, long def, long min, long max, String description) {
        return new SettingDefinition(key, SettingType.INT, Long.toString(def), description, List.of(), min, max);
    }

    static SettingDefinition decimal(String key, String def, long min, long max, String description) {
        return new SettingDefinition(key, SettingType.DECIMAL, def, description, List.of(), min, max);
    }

    static SettingDefinition oneOf(String key, String def, List<String> allowed, String description) {
        return new SettingDefinition(key, SettingType.ENUM, def, description, allowed, 0, 0);
    }

    static SettingDefinition listen(String key, String def, String description) {
        return new SettingDefinition(key, SettingType.LISTEN, def, description, List.of("host:port"), 0, 0);
    }

    static SettingDefinition crsDir(String key, String description) {
        return new SettingDefinition(key, SettingType.CRS_DIR, "", description, List.of("/absolute/path", "(empty)"), 0, 0);
    }

    static SettingDefinition rulesDirs(String key, String description) {
        return new SettingDefinition(key, SettingType.RULES_DIRS, "", description, List.of("/absolute/dir[,/absolute/dir...]", "(empty)"), 0, 0);
    }

    static SettingDefinition httpsUrl(String key, String def, String description) {
        return new SettingDefinition(key, SettingType.HTTPS_URL, def, description, List.of("https://host[:port]/path"), 0, 0);
    }

    static SettingDefinition path(String key, String description) {
        return new SettingDefinition(key, SettingType.PATH, "", description, List.of("/absolute/path", "(empty)"), 0, 0);
    }

    static SettingDefinition duration(String key, String def, String description) {
        return new SettingDefinition(key, SettingType.DURATION, def, description, List.of("30m", "24h", "7d"), 0, 0);
    }

    /**
     * A duration from {@code min} to {@code max}, both written as the setting is ({@code 1ms},
     * {@code 10m}).
     */
    static SettingDefinition duration(String key, String def, String min, String max, String description) {
        return new SettingDefinition(key, SettingType.DURATION, def, description, List.of(min + " to " + max),
                parseDuration(min).toMillis(), parseDuration(max).toMillis());
    }

    /** A {@link SettingType#DURATION} value as a Duration. */
    public static java.time.Duration parseDuration(String v) {
        return io.tiyi.internal.Durations.parse(v);
    }

    static SettingDefinition address(String key, String def, List<String> shapes, String description) {
        return new SettingDefinition(key, SettingType.ADDRESS, def, description, shapes, 0, 0);
    }

    /**
     * Checks a value and returns its canonical form.
     *
     * @throws TiyiException naming the key, the value and what is allowed
     */
    public String canonical(String value) {
        if (value == null) {
            throw bad(value, "a value is required");
        }
        String v = value.trim();
        switch (type) {
            case BOOL -> {
                String l = v.toLowerCase(Locale.ROOT);
                if (l.equals("true") || l.equals("false")) {
                    return l;
                }
                throw bad(value, "allowed: true, false");
            }
            case INT -> {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw bad(value, "allowed: a whole number from " + min + " to " + max);
                }
                if (n < min || n > max) {
                    throw bad(value, "allowed: a whole number from " + min + " to " + max);
                }
                return Long.toString(n);
            }
            case DECIMAL -> {
                java.math.BigDecimal n;
                try {
                    n = new java.math.BigDecimal(v);
                } catch (NumberFormatException e) {
                    throw bad(value, "allowed: a number from " + min + " to " + max + ", for example 0.25");
                }
                if (n.compareTo(java.math.BigDecimal.valueOf(min)) < 0 || n.compareTo(java.math.BigDecimal.valueOf(max)) > 0) {
                    throw bad(value, "allowed: a number from " + min + " to " + max + ", for example 0.25");
                }
                n = n.stripTrailingZeros();
                return n.scale() < 0 ? n.setScale(0).toPlainString() : n.toPlainString();
            }
            case ENUM -> {
                String l = v.toLowerCase(Locale.ROOT);
                if (allowed.contains(l)) {
                    return l;
                }
                throw bad(value, "allowed: " + String.join(", ", allowed));
            }
            case LISTEN -> {
                try {
                    return io.tiyi.config.HostPort.parse(v, "setting " + key).toString();
                } catch (io.tiyi.config.ConfigException e) {
                    throw bad(value, "allowed: host:port, for example 0.0.0.0:8000");
                }
            }
            case CRS_DIR -> {
                if (v.isEmpty()) {
                    return "";
                }
                java.nio.file.Path d = java.nio.file.Path.of(v);
                if (!d.isAbsolute()) {
                    throw bad(value, "allowed: an absolute directory path, or empty");
                }
                // Refused now, with the reason, rather than when every node's next bundle fails to compile.
                try {
                    io.tiyi.waf.TiyiWaf.builder().crs(d.normalize()).build();
                } catch (io.tiyi.waf.seclang.SecLangException e) {
                    throw bad(value, e.getMessage());
                }
                return d.normalize().toString();
            }
            case RULES_DIRS -> {
                try {
                    return RulesDirs.canonical(v);
                } catch (IllegalArgumentException e) {
                    throw bad(value, e.getMessage() + "; allowed: absolute paths of existing directories other than /, separated by commas, or empty");
                }
            }
            case HTTPS_URL -> {
                java.net.URI u;
                try {
                    u = java.net.URI.create(v);
                } catch (IllegalArgumentException e) {
                    throw bad(value, "allowed: an https:// URL");
                }
                if (!"https".equals(u.getScheme()) || u.getHost() == null) {
                    throw bad(value, "allowed: an https:// URL (CDN lists are fetched over HTTPS only)");
                }
                return v;
            }
            case PATH -> {
                if (v.isEmpty()) {
                    return "";
                }
                if (!java.nio.file.Path.of(v).isAbsolute()) {
                    throw bad(value, "allowed: an absolute path, or empty");
                }
                return java.nio.file.Path.of(v).normalize().toString();
            }
            case DURATION -> {
                String l = v.toLowerCase(Locale.ROOT);
                long ms;
                try {
                    ms = io.tiyi.internal.Durations.parse(l).toMillis();
                } catch (IllegalArgumentException e) {
                    throw bad(value, "allowed: " + (max > 0 ? "a duration from " + allowed.get(0) + ", such as 500ms, 30s or 1m" : e.getMessage()));
                }
                if (max > 0 && (ms < min || ms > max)) {
                    throw bad(value, "allowed: a duration from " + allowed.get(0));
                }
                return l;
            }
            case ADDRESS -> {
                if (v.isEmpty()) {
                    return "";
                }
                SiemAddress.parse(v, key);
                return v;
            }
            default -> {
                return v;
            }
        }
    }

    private TiyiException bad(String value, String why) {
        return TiyiException.invalid("invalid value '" + value + "' for setting " + key + ": " + why);
    }
}
