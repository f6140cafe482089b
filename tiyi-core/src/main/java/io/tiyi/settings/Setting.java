package io.tiyi.settings;

/**
 * A setting as the API shows it.
 *
 * @param key the key
 * @param value the value in force
 * @param defaultValue the built-in default
 * @param isDefault true when no one has set it
 * @param type value type
 * @param description what it does
 * @param allowed allowed values or shapes, if restricted
 * @param updatedAt when it was last set (ms), or 0
 * @param updatedBy who set it, or empty
 */
public record Setting(String key, String value, String defaultValue, boolean isDefault, String type, String description,
        java.util.List<String> allowed, long updatedAt, String updatedBy) {}
