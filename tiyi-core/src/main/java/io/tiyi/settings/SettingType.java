package io.tiyi.settings;

/** How a setting's value is written and checked. */
enum SettingType {
    BOOL,
    INT,
    /** A decimal number within [min, max]. */
    DECIMAL,
    STRING,
    ENUM,
    ADDRESS,
    /** A listen address, host:port. */
    LISTEN,
    /** An OWASP CRS 4 directory, absolute, that compiles; or empty. */
    CRS_DIR,
    /** Absolute directories, comma-separated, each existing and not {@code /}; or empty. See {@link RulesDirs}. */
    RULES_DIRS,
    /** An https:// URL. */
    HTTPS_URL,
    /** An absolute path, or empty. */
    PATH,
    /** A duration as {@link io.tiyi.internal.Durations} reads it: {@code 30m}, {@code 24h}, {@code 1h30m}, {@code 7d}. */
    DURATION
}
