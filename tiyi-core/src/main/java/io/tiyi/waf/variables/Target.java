package io.tiyi.waf.variables;

/**
 * One value a rule inspects.
 *
 * @param collection the collection it came from, for example {@code ARGS}
 * @param key the entry key, or null for a single-valued variable
 * @param value the value, a byte string
 */
public record Target(String collection, String key, String value) {
    /** {@code ARGS:id}, or {@code REQUEST_URI} for a single value: the MATCHED_VAR_NAME form. */
    public String name() {
        return key == null ? collection : collection + ":" + key;
    }
}
