package io.tiyi.waf.variables;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every SecLang variable of one transaction: keyed collections ({@code ARGS_GET},
 * {@code REQUEST_HEADERS}, {@code TX}...) and single values ({@code REQUEST_URI},
 * {@code RESPONSE_STATUS}...), plus the derived ones ({@code ARGS}, {@code *_NAMES},
 * {@code ARGS_COMBINED_SIZE}). Owned by one transaction; not thread-safe.
 */
public final class TxVariables {
    /** Collections whose values are their keys' names (derived). */
    private static final Map<String, String[]> NAMES = Map.of(
            "ARGS_NAMES", new String[] {"ARGS_GET", "ARGS_POST"},
            "ARGS_GET_NAMES", new String[] {"ARGS_GET"},
            "ARGS_POST_NAMES", new String[] {"ARGS_POST"},
            "REQUEST_HEADERS_NAMES", new String[] {"REQUEST_HEADERS"},
            "REQUEST_COOKIES_NAMES", new String[] {"REQUEST_COOKIES"},
            "RESPONSE_HEADERS_NAMES", new String[] {"RESPONSE_HEADERS"});
    private static final Set<String> KEYED = Set.of("ARGS_GET", "ARGS_POST", "REQUEST_HEADERS", "REQUEST_COOKIES", "RESPONSE_HEADERS",
            "TX", "ENV", "FILES", "FILES_NAMES", "FILES_SIZES", "FILES_TMPNAMES", "FILES_TMP_CONTENT", "MULTIPART_PART_HEADERS", "XML", "IP", "GLOBAL",
            "SESSION", "USER", "RESOURCE", "MATCHED_VARS", "MATCHED_VARS_NAMES", "RULE", "GEO", "REQUEST_COOKIES_RAW");

    private final Map<String, KeyValues> collections = new HashMap<>();
    private final Map<String, String> singles = new HashMap<>();

    /*
     * MATCHED_VARS and MATCHED_VARS_NAMES are rewritten for every rule that matches a value, but
     * read only by the few rules and macros that name them. The pairs are kept here (name, value,
     * name, value...) and copied into the two collections only when something reads them.
     */
    private final KeyValues matchedVars = new KeyValues();
    private final KeyValues matchedNames = new KeyValues();
    private final ArrayList<String> matched = new ArrayList<>();
    /** True when the two collections do not hold {@link #matched}. */
    private boolean matchedStale;

    public TxVariables() {
        collections.put("MATCHED_VARS", matchedVars);
        collections.put("MATCHED_VARS_NAMES", matchedNames);
    }

    /** A keyed collection, created on first use. */
    public KeyValues collection(String name) {
        if (matchedStale) {
            materialiseMatched(name);
        }
        return collections.computeIfAbsent(name, k -> new KeyValues());
    }

    /** Empties MATCHED_VARS and MATCHED_VARS_NAMES. */
    public void clearMatched() {
        if (!matched.isEmpty() || !matchedStale && (!matchedVars.isEmpty() || !matchedNames.isEmpty())) {
            matched.clear();
            matchedStale = true;
        }
    }

    /** Adds a value (named as MATCHED_VAR_NAME names it) to MATCHED_VARS and its name to MATCHED_VARS_NAMES. */
    public void addMatched(String name, String value) {
        matched.add(name);
        matched.add(value);
        matchedStale = true;
    }

    private void materialiseMatched(String collection) {
        if (collection.length() < 12 || collection.charAt(0) != 'M' || !collection.startsWith("MATCHED_VARS")) {
            return;
        }
        matchedStale = false;
        matchedVars.clear();
        matchedNames.clear();
        for (int i = 0, n = matched.size(); i < n; i += 2) {
            String name = matched.get(i);
            matchedVars.add(name, matched.get(i + 1));
            matchedNames.add(name, name);
        }
    }

    public boolean isKeyed(String name) {
        return keyedName(name);
    }

    /** Kinds of collection, as {@link #resolve} reads them: {@code ARGS}, ... */
    static final int ARGS = 0;
    /** ... a keyed collection, ... */
    static final int KEYED_COLLECTION = 1;
    /** ... the names of one or more keyed collections, ... */
    static final int NAMES_OF = 2;
    /** ... or a single value. */
    static final int SINGLE = 3;

    /** The kind of a collection name (upper case): what {@link VariableSelector} keeps for {@link #resolve}. */
    static int kindOf(String c) {
        return c.equals("ARGS") ? ARGS : KEYED.contains(c) ? KEYED_COLLECTION : NAMES.containsKey(c) ? NAMES_OF : SINGLE;
    }

    /** {@link #isKeyed}, which depends on the name alone: callers may decide it once, at load. */
    public static boolean keyedName(String name) {
        return kindOf(name) != SINGLE;
    }

    /**
     * What {@code %{COLLECTION.key}} expands to, {@code lowerKey} being the key in lower case: the
     * first value under that key, or null. The derived collections are read from their sources, as
     * a rule's targets read them: {@code ARGS} from {@code ARGS_GET}, then {@code ARGS_POST};
     * {@code ARGS_NAMES} and the other {@code *_NAMES} yield the name as the request spelled it
     * when a source has it.
     */
    public String macroValue(String collection, String lowerKey) {
        switch (kindOf(collection)) {
            case ARGS: {
                String v = collection("ARGS_GET").firstLowerCased(lowerKey);
                return v != null ? v : collection("ARGS_POST").firstLowerCased(lowerKey);
            }
            case NAMES_OF:
                for (String source : NAMES.get(collection)) {
                    KeyValues kv = collection(source);
                    List<Integer> at = kv.positions(lowerKey);
                    if (at != null && !at.isEmpty()) {
                        return kv.at(at.get(0)).key();
                    }
                }
                return null;
            case KEYED_COLLECTION:
                return collection(collection).firstLowerCased(lowerKey);
            default:
                return null;
        }
    }

    public void set(String name, String value) {
        singles.put(name, value);
    }

    /** A single value, or null when unset. */
    public String get(String name) {
        return singles.get(name);
    }

    /**
     * The values a selector names, minus what {@code exclusions} remove. A missing single
     * variable yields nothing; {@code &X} yields the count as one value.
     */
    public List<Target> resolve(VariableSelector sel, List<VariableSelector> exclusions) {
        String c = sel.collection();
        if (matchedStale) {
            materialiseMatched(c);
        }
        int kind = sel.kind;
        if (kind == ARGS || kind == KEYED_COLLECTION) {
            // Filled without intermediate lists, and not allocated at all when nothing is found: most
            // selectors of most rules name what a benign request does not have (cookies, XML, files).
            counted = 0;
            List<Target> out;
            if (kind == ARGS) {
                out = addTargets(addTargets(null, c, "ARGS_GET", sel, exclusions), c, "ARGS_POST", sel, exclusions);
            } else {
                out = addTargets(null, c, c, sel, exclusions);
            }
            if (sel.count()) {
                return one(new Target(c, null, Integer.toString(counted)));
            }
            return out == null ? List.of() : out;
        }
        String[] names = kind == NAMES_OF ? NAMES.get(c) : null;
        if (names != null) {
            List<Target> out = null;
            int n = 0;
            for (String src : names) {
                KeyValues kv = collections.get(src);
                if (kv == null) {
                    continue;
                }
                for (KeyValues.Entry e : kv.all()) {
                    if (!selected(sel, e.key()) || !exclusions.isEmpty() && excluded(exclusions, c, e.key())) {
                        continue;
                    }
                    n++;
                    if (!sel.count()) {
                        out = out != null ? out : new ArrayList<>(sel.key() != null ? 2 : namesSize(names));
                        out.add(e.target(c, true));
                    }
                }
            }
            if (sel.count()) {
                return one(new Target(c, null, Integer.toString(n)));
            }
            return out == null ? List.of() : out;
        }
        String v = single(c);
        if (sel.count()) {
            return one(new Target(c, null, v == null ? "0" : "1"));
        }
        return v == null ? List.of() : one(new Target(c, null, v));
    }

    /** Entries {@link #addTargets} counted (for {@code &COLLECTION}); a field so that counting needs no holder object. */
    private int counted;

    private static List<Target> one(Target t) {
        List<Target> out = new ArrayList<>(1);
        out.add(t);
        return out;
    }

    private int namesSize(String[] names) {
        int total = 0;
        for (String src : names) {
            total += size(src);
        }
        return total;
    }

    private String single(String c) {
        switch (c) {
            case "ARGS_COMBINED_SIZE": {
                long total = 0;
                for (String src : new String[] {"ARGS_GET", "ARGS_POST"}) {
                    KeyValues kv = collections.get(src);
                    if (kv != null) {
                        for (KeyValues.Entry e : kv.all()) {
                            total += e.key().length() + e.value().length();
                        }
                    }
                }
                return Long.toString(total);
            }
            case "FILES_COMBINED_SIZE": {
                long total = 0;
                KeyValues kv = collections.get("FILES_SIZES");
                if (kv != null) {
                    for (KeyValues.Entry e : kv.all()) {
                        try {
                            total += Long.parseLong(e.value());
                        } catch (NumberFormatException ex) {
                            // A size that is not a number counts as nothing.
                        }
                    }
                }
                return Long.toString(total);
            }
            case "TIME_EPOCH":
                return Long.toString(System.currentTimeMillis() / 1000);
            default:
                return singles.get(c);
        }
    }

    private int size(String coll) {
        KeyValues kv = collections.get(coll);
        return kv == null ? 0 : kv.size();
    }

    /**
     * Appends the targets {@code sel} names in {@code coll} (as collection {@code c}) that are not
     * excluded to {@code out}, made when the first is found, and adds their number to {@link #counted}.
     * Returns {@code out}: null when it was null and nothing was found.
     */
    private List<Target> addTargets(List<Target> out, String c, String coll, VariableSelector sel, List<VariableSelector> exclusions) {
        KeyValues kv = collections.get(coll);
        if (kv == null || kv.isEmpty()) {
            return out;
        }
        boolean count = sel.count();
        if (sel.key() != null && !c.equals("XML")) {
            List<Integer> at = kv.positions(sel.lowerKey);
            if (at == null) {
                return out;
            }
            for (int i = 0, size = at.size(); i < size; i++) {
                KeyValues.Entry e = kv.at(at.get(i));
                if (!exclusions.isEmpty() && excluded(exclusions, c, e.key())) {
                    continue;
                }
                counted++;
                if (!count) {
                    out = out != null ? out : new ArrayList<>(2);
                    out.add(e.target(c, false));
                }
            }
            return out;
        }
        // XML:/* is the element text, XML://@* the attribute values; the key is an XPath, not an entry name.
        String xmlPath = c.equals("XML") ? sel.key() : null;
        Pattern keyPattern = c.equals("XML") ? null : sel.keyPattern();
        List<KeyValues.Entry> entries = kv.all();
        for (int i = 0, size = entries.size(); i < size; i++) {
            KeyValues.Entry e = entries.get(i);
            if (xmlPath != null && !xmlPath.equals(e.key())) {
                continue;
            }
            if (keyPattern != null && !finds(keyPattern, e.key())) {
                continue;
            }
            if (!exclusions.isEmpty() && excluded(exclusions, c, e.key())) {
                continue;
            }
            counted++;
            if (!count) {
                out = out != null ? out : new ArrayList<>(keyPattern == null && xmlPath == null ? size : 4);
                out.add(e.target(c, false));
            }
        }
        return out;
    }

    private boolean selected(VariableSelector sel, String key) {
        if (sel.key() != null) {
            return sel.key().equalsIgnoreCase(key);
        }
        return sel.keyPattern() == null || finds(sel.keyPattern(), key);
    }

    private boolean excluded(List<VariableSelector> exclusions, String coll, String key) {
        for (int i = 0, n = exclusions.size(); i < n; i++) {
            VariableSelector x = exclusions.get(i);
            if (excludes(x, coll, key)) {
                return true;
            }
            if (coll.equals("ARGS_NAMES") && excludes(x, "ARGS", key)) {
                return true;
            }
        }
        return false;
    }

    /** {@link VariableSelector#excludes}, with this transaction's matcher of a key regex. */
    private boolean excludes(VariableSelector x, String coll, String key) {
        if (!x.exclusion() || !x.collection().equals(coll)) {
            return false;
        }
        if (x.keyPattern() != null) {
            return finds(x.keyPattern(), key);
        }
        return x.key() == null || x.key().equalsIgnoreCase(key);
    }

    /**
     * One matcher per key regex per transaction: the same few regexes ({@code !REQUEST_COOKIES:/__utm/})
     * are tried on every entry by rule after rule, and a matcher per try was most of what that cost.
     */
    private final java.util.IdentityHashMap<Pattern, java.util.regex.Matcher> keyMatchers = new java.util.IdentityHashMap<>();

    private boolean finds(Pattern p, String key) {
        java.util.regex.Matcher m = keyMatchers.get(p);
        if (m == null) {
            m = p.matcher(key);
            keyMatchers.put(p, m);
        } else {
            m.reset(key);
        }
        return m.find();
    }
}
