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
 * accepts with or without {@code (?i)}; non-ASCII literals are treated as "any character" since
 * only ASCII folding is modelled.
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

    private static boolean containsFolded(String s, String lit) {
        int n = lit.length();
        char first = lit.charAt(0);
        for (int i = 0, last = s.length() - n; i <= last; i++) {
            if (AhoCorasick.lower(s.charAt(i)) != first) {
                continue;
            }
            int k = 1;
            while (k < n && AhoCorasick.lower(s.charAt(i + k)) == lit.charAt(k)) {
                k++;
            }
            if (k == n) {
                return true;
            }
        }
        return false;
    }
}
