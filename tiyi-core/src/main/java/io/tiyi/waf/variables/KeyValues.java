package io.tiyi.waf.variables;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An ordered multi-map of byte-string keys to values with case-insensitive lookup, the shape of
 * every SecLang collection (ARGS, REQUEST_HEADERS, TX...). Not thread-safe: a transaction owns it.
 */
public final class KeyValues {
    /**
     * One entry: the key as it arrived, and its value. It also keeps what the engine derives from
     * it per transaction (transformed forms, the last {@link Target} made of it), so that inspecting
     * N entries with M rules allocates and looks up per entry, not per (rule, entry) in a shared map.
     */
    public static final class Entry {
        private final String key;
        private final String value;
        private String[] keyMemo;
        private String[] valueMemo;
        private Target keyTarget;
        private Target valueTarget;

        public Entry(String key, String value) {
            this.key = key;
            this.value = value;
        }

        public String key() {
            return key;
        }

        public String value() {
            return value;
        }

        String[] memo(boolean ofKey, int chains) {
            if (ofKey) {
                if (keyMemo == null) {
                    keyMemo = new String[chains];
                }
                return keyMemo;
            }
            if (valueMemo == null) {
                valueMemo = new String[chains];
            }
            return valueMemo;
        }

        /**
         * The target of this entry in {@code collection}, its value or ({@code ofKey}) its key; the
         * previous one when the collection is the same, since the CRS names ARGS far more often
         * than anything else.
         */
        Target target(String collection, boolean ofKey) {
            Target t = ofKey ? keyTarget : valueTarget;
            if (t != null && t.collection().equals(collection)) {
                return t;
            }
            t = new Target(collection, key, ofKey ? key : value, this, ofKey);
            if (ofKey) {
                keyTarget = t;
            } else {
                valueTarget = t;
            }
            return t;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && key.equals(e.key) && value.equals(e.value);
        }

        @Override
        public int hashCode() {
            return 31 * key.hashCode() + value.hashCode();
        }

        @Override
        public String toString() {
            return "Entry[key=" + key + ", value=" + value + "]";
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, List<Integer>> index = new HashMap<>();

    public void add(String key, String value) {
        index.computeIfAbsent(key.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(entries.size());
        entries.add(new Entry(key, value));
    }

    /** Replaces every value of {@code key} with one. */
    public void set(String key, String value) {
        String lk = key.toLowerCase(Locale.ROOT);
        List<Integer> at = index.get(lk);
        if (at != null && at.size() == 1) {
            entries.set(at.get(0), new Entry(entries.get(at.get(0)).key(), value));
            return;
        }
        if (at != null) {
            remove(key);
        }
        add(key, value);
    }

    public void remove(String key) {
        String lk = key.toLowerCase(Locale.ROOT);
        if (!index.containsKey(lk)) {
            return;
        }
        List<Entry> keep = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (!e.key().toLowerCase(Locale.ROOT).equals(lk)) {
                keep.add(e);
            }
        }
        entries.clear();
        index.clear();
        for (Entry e : keep) {
            add(e.key(), e.value());
        }
    }

    /** The first value of {@code key}, or null. */
    public String first(String key) {
        return firstLowerCased(key.toLowerCase(Locale.ROOT));
    }

    /** {@link #first} of a key already {@code toLowerCase(Locale.ROOT)}. */
    public String firstLowerCased(String lowerKey) {
        List<Integer> at = index.get(lowerKey);
        return at == null || at.isEmpty() ? null : entries.get(at.get(0)).value();
    }

    public List<Entry> get(String key) {
        List<Integer> at = index.get(key.toLowerCase(Locale.ROOT));
        if (at == null) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>(at.size());
        for (int i : at) {
            out.add(entries.get(i));
        }
        return out;
    }

    /**
     * Appends the entries of {@code lowerKey} (already {@code toLowerCase(Locale.ROOT)}) to
     * {@code into}: {@link #get} without its intermediate list and lower-casing.
     */
    void addToLowered(List<Entry> into, String lowerKey) {
        List<Integer> at = index.get(lowerKey);
        if (at != null) {
            for (int i : at) {
                into.add(entries.get(i));
            }
        }
    }

    /** The positions of the entries of {@code lowerKey} (already lower-cased), or null; not to be changed. */
    List<Integer> positions(String lowerKey) {
        return index.get(lowerKey);
    }

    /** The entry at a position {@link #positions} gave. */
    Entry at(int position) {
        return entries.get(position);
    }

    public List<Entry> all() {
        return Collections.unmodifiableList(entries);
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public void clear() {
        entries.clear();
        index.clear();
    }
}
