package io.tiyi.settings;

/** How a setting's value is written and checked. */
public enum SettingType {
    BOOL,
    INT,
    /** A decimal number within [min, max]. */
    DECIMAL,
    STRING,
    ENUM,
    ADDRESS,
    /** A listen address, host:port. */
    LISTEN,
    /** A directory path, absolute, or empty. */
    DIRECTORY,
    /** An https:// URL. */
    HTTPS_URL,
    /** An absolute path, or empty. */
    PATH,
    /** A duration: a whole number and a unit, {@code s}, {@code m}, {@code h} or {@code d}. */
    DURATION
}
