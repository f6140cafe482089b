package io.tiyi.waf.variables;

import java.util.Objects;

/**
 * One value a rule inspects: the collection it came from ({@code ARGS}), the entry key or null for
 * a single-valued variable, and the value, a byte string.
 *
 * <p>A target made from a collection entry carries that entry's transformation memo, so that the
 * engine finds the transformed forms of a value with a field read instead of a hash lookup: with
 * tens of thousands of arguments, a transaction-wide identity map of values became a table larger
 * than the CPU caches and cost a cache miss per (rule, value). Equality is by collection, key and
 * value only.
 */
public final class Target {
    private final String collection;
    private final String key;
    private final String value;
    /** The entry the value comes from, or null. */
    private final KeyValues.Entry entry;
    /** True when {@link #value} is the entry's key ({@code ARGS_NAMES}). */
    private final boolean ofKey;
    /** {@link #name()}, made on first use: most targets are inspected without ever matching. */
    private String name;

    public Target(String collection, String key, String value) {
        this(collection, key, value, null, false);
    }

    Target(String collection, String key, String value, KeyValues.Entry entry, boolean ofKey) {
        this.collection = collection;
        this.key = key;
        this.value = value;
        this.entry = entry;
        this.ofKey = ofKey;
    }

    public String collection() {
        return collection;
    }

    public String key() {
        return key;
    }

    public String value() {
        return value;
    }

    /** {@code ARGS:id}, or {@code REQUEST_URI} for a single value: the MATCHED_VAR_NAME form. */
    public String name() {
        String n = name;
        if (n == null) {
            n = key == null ? collection : collection + ":" + key;
            name = n;
        }
        return n;
    }

    /**
     * Slots for the transformed forms of {@link #value()}, one per transformation chain, shared by
     * every target made from the same entry and value; null for a target not made from an entry.
     */
    public String[] memo(int chains) {
        return entry == null ? null : entry.memo(ofKey, chains);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && collection.equals(t.collection) && Objects.equals(key, t.key) && value.equals(t.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(collection, key, value);
    }

    @Override
    public String toString() {
        return "Target[collection=" + collection + ", key=" + key + ", value=" + value + "]";
    }
}
