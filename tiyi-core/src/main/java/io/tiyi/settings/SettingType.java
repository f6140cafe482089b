package io.tiyi.settings;

/** How a setting's value is written and checked. */
public enum SettingType {
    BOOL,
    INT,
    STRING,
    ENUM,
    ADDRESS,
    /** A listen address, host:port. */
    LISTEN,
    /** A directory path, absolute, or empty. */
    DIRECTORY,
    /** An https:// URL. */
    HTTPS_URL
}
