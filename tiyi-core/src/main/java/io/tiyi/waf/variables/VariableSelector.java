package io.tiyi.waf.variables;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One target of a rule as written: {@code ARGS}, {@code ARGS:id}, {@code ARGS:/^id_/},
 * {@code &ARGS}, {@code !ARGS:password} (an exclusion), {@code XML:/*}. Immutable; equal when its
 * five parts are (a key pattern by identity).
 *
 * <p>What resolving it needs besides (the kind of its collection, the key lower-cased) is worked
 * out here once: a rule set resolves its selectors thousands of times per request.
 */
public final class VariableSelector {
    private final String collection;
    private final String key;
    private final Pattern keyPattern;
    private final boolean count;
    private final boolean exclusion;
    /** See {@link TxVariables#kindOf}. */
    final int kind;
    /** {@link #key} lower-cased, or null. */
    final String lowerKey;

    /**
     * @param collection the collection name, upper-cased here
     * @param key a literal key, or null
     * @param keyPattern a key regex, or null
     * @param count true for {@code &COLLECTION}: the number of entries instead of their values
     * @param exclusion true for {@code !COLLECTION:key}
     */
    public VariableSelector(String collection, String key, Pattern keyPattern, boolean count, boolean exclusion) {
        this.collection = collection.toUpperCase(Locale.ROOT);
        this.key = key;
        this.keyPattern = keyPattern;
        this.count = count;
        this.exclusion = exclusion;
        this.kind = TxVariables.kindOf(this.collection);
        this.lowerKey = key == null ? null : key.toLowerCase(Locale.ROOT);
    }

    /** The collection name, upper case. */
    public String collection() {
        return collection;
    }

    /** The literal key, or null. */
    public String key() {
        return key;
    }

    /** The key regex, or null. */
    public Pattern keyPattern() {
        return keyPattern;
    }

    /** True for {@code &COLLECTION}. */
    public boolean count() {
        return count;
    }

    /** True for {@code !COLLECTION:key}. */
    public boolean exclusion() {
        return exclusion;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VariableSelector v && collection.equals(v.collection) && java.util.Objects.equals(key, v.key)
                && keyPattern == v.keyPattern && count == v.count && exclusion == v.exclusion;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(collection, key, keyPattern == null ? 0 : System.identityHashCode(keyPattern), count, exclusion);
    }

    /** True when this exclusion removes the entry {@code key} of {@code collection}. */
    public boolean excludes(String coll, String entryKey) {
        if (!exclusion || !collection.equals(coll)) {
            return false;
        }
        if (keyPattern != null) {
            return keyPattern.matcher(entryKey).find();
        }
        return key == null || key.equalsIgnoreCase(entryKey);
    }

    /** Parses a {@code |}-separated variable list; regex keys may contain {@code |}. */
    public static List<VariableSelector> parseList(String spec) {
        List<VariableSelector> out = new java.util.ArrayList<>();
        int i = 0;
        int n = spec.length();
        while (i < n) {
            boolean excl = false;
            boolean cnt = false;
            while (i < n && (spec.charAt(i) == '!' || spec.charAt(i) == '&')) {
                if (spec.charAt(i) == '!') {
                    excl = true;
                } else {
                    cnt = true;
                }
                i++;
            }
            int s = i;
            while (i < n && spec.charAt(i) != ':' && spec.charAt(i) != '|') {
                i++;
            }
            String coll = spec.substring(s, i).trim();
            if (coll.isEmpty()) {
                throw new IllegalArgumentException("empty variable name in '" + spec + "'");
            }
            String key = null;
            Pattern pat = null;
            if (i < n && spec.charAt(i) == ':') {
                i++;
                if (i < n && spec.charAt(i) == '/' && !coll.equalsIgnoreCase("XML")) {
                    int e = i + 1;
                    StringBuilder re = new StringBuilder();
                    while (e < n && spec.charAt(e) != '/') {
                        if (spec.charAt(e) == '\\' && e + 1 < n) {
                            if (spec.charAt(e + 1) != '/') {
                                re.append('\\');
                            }
                            re.append(spec.charAt(e + 1));
                            e += 2;
                            continue;
                        }
                        re.append(spec.charAt(e));
                        e++;
                    }
                    if (e >= n) {
                        throw new IllegalArgumentException("unterminated key regex in '" + spec + "'");
                    }
                    pat = Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
                    i = e + 1;
                } else {
                    int ks = i;
                    if (i < n && spec.charAt(i) == '\'') {
                        int e = spec.indexOf('\'', i + 1);
                        if (e < 0) {
                            throw new IllegalArgumentException("unterminated quoted key in '" + spec + "'");
                        }
                        key = spec.substring(i + 1, e);
                        i = e + 1;
                    } else {
                        while (i < n && spec.charAt(i) != '|') {
                            i++;
                        }
                        key = spec.substring(ks, i).trim();
                    }
                }
            }
            out.add(new VariableSelector(coll, key, pat, cnt, excl));
            while (i < n && spec.charAt(i) != '|') {
                i++;
            }
            i++;
        }
        return out;
    }

    @Override
    public String toString() {
        return (exclusion ? "!" : "") + (count ? "&" : "") + collection + (key != null ? ":" + key : keyPattern != null ? ":/" + keyPattern + "/" : "");
    }
}
