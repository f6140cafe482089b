package io.tiyi.waf.operators;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * A necessary condition for a regular expression to match: a set of literals one of which every
 * match contains (ASCII case folded). {@code @rx} checks it first, because most values a rule
 * inspects are benign and do not contain any of the pattern's literals: one scan then replaces a
 * backtracking search started at every position (in the CRS, most of the engine's time).
 *
 * <p>It must never reject a value the pattern matches. The analysis therefore only derives
 * literals from what it understands (literals, small classes, groups, alternation, quantifiers,
 * zero-width assertions); anything else counts as "any text", and syntax it does not know (for
 * example flags {@code u}, {@code U}, {@code x}, octal or control escapes) gives no prefilter at
 * all. Case: values and literals are both ASCII lower-cased, a superset of what the pattern
 * accepts with or without {@code (?i)}; a character outside ASCII stands for itself, since Java
 * folds nothing else without the Unicode-case flag, which the analysis refuses.
 */
final class RegexPrefilter {
    private final String[] literals;
    private final AhoCorasick many;

    private RegexPrefilter(Collection<String> literals) {
        this.literals = literals.toArray(new String[0]);
        // Up to four literals, scanning for each in turn beats the automaton's table lookups (measured
        // over the CRS patterns and benign header and argument values).
        this.many = literals.size() > 4 ? new AhoCorasick(literals) : null;
    }

    /** The prefilter of {@code regex}, or null when none can be derived. */
    static RegexPrefilter of(String regex) {
        Set<String> req = RegexRequirement.of(regex);
        return req == null || req.size() > RegexRequirement.REQUIRED_LIMIT ? null : new RegexPrefilter(req);
    }

    /** False only when the pattern cannot match {@code s}. */
    boolean mayMatch(String s) {
        if (many != null) {
            return many.find(s) != null;
        }
        for (String lit : literals) {
            if (containsFolded(s, lit)) {
                return true;
            }
        }
        return false;
    }

    /** The literals (lower-cased), for tests. */
    List<String> literals() {
        return List.of(literals);
    }

    /**
     * Whether {@code s} contains {@code lit} (lower case) with ASCII case folded. The candidates
     * for its first character come from {@link String#indexOf(int, int)}, which the JVM runs as
     * a vector scan, for each case of it; the rest is compared where one is found.
     */
    static boolean containsFolded(String s, String lit) {
        int n = lit.length();
        int last = s.length() - n;
        if (last < 0) {
            return false;
        }
        char lower = lit.charAt(0);
        char upper = lower >= 'a' && lower <= 'z' ? (char) (lower - 32) : lower;
        int a = s.indexOf(lower);
        int b = upper != lower ? s.indexOf(upper) : -1;
        while (true) {
            int p;
            if (a < 0) {
                if (b < 0) {
                    return false;
                }
                p = b;
            } else {
                p = b < 0 || a < b ? a : b;
            }
            if (p > last) {
                return false;
            }
            int k = 1;
            while (k < n && AhoCorasick.lower(s.charAt(p + k)) == lit.charAt(k)) {
                k++;
            }
            if (k == n) {
                return true;
            }
            if (p == a) {
                a = s.indexOf(lower, a + 1);
            } else {
                b = s.indexOf(upper, b + 1);
            }
        }
    }
}
