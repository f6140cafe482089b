package io.tiyi.waf.operators;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The literals a regular expression requires, read from its syntax for {@link RegexPrefilter}:
 * one of them occurs (ASCII case folded) in every match. Only what the analysis models yields
 * literals; anything else counts as "any text", and syntax it does not know gives no requirement.
 */
final class RegexRequirement {
    /** Bound on the strings a node's exact set may hold before it counts as unknown. */
    static final int EXACT_LIMIT = 64;
    /** Bound on the literals of the final requirement (an alternation of many keywords). */
    static final int REQUIRED_LIMIT = 4096;

    /** What is known of the strings a sub-pattern matches. */
    static final class Info {
        /** Every string it matches, or null when unknown or too many. */
        final Set<String> exact;
        /** Literals one of which every match contains, or null when none is known. */
        final Set<String> required;

        Info(Set<String> exact, Set<String> required) {
            this.exact = exact;
            this.required = required;
        }

        /** A requirement derived from what is known, or null. */
        Set<String> asRequired() {
            Set<String> r = exact != null ? exact : required;
            return r == null || r.contains("") || r.isEmpty() ? null : r;
        }
    }

    static final Info UNKNOWN = new Info(null, null);
    static final Info EMPTY = new Info(Set.of(""), null);

    /** Thrown on syntax the analysis does not model: the pattern then gets no prefilter. */
    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported() {
            super(null, null, false, false);
        }
    }

    private RegexRequirement() {}

    /** The literals every match of {@code regex} contains, lower-cased; null when none can be derived. */
    static Set<String> of(String regex) {
        try {
            RegexParser p = new RegexParser(regex);
            Info info = p.alternation();
            return p.pos == regex.length() ? info.asRequired() : null;
        } catch (Unsupported | IndexOutOfBoundsException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * A literal character. Outside ASCII it stands for itself alone: without the UNICODE_CASE flag
     * (whose inline forms the parser refuses) Java folds case for ASCII letters only, and so does
     * the scan.
     */
    static Info literal(char c) {
        return new Info(Set.of(String.valueOf(AhoCorasick.lower(c))), null);
    }

    /** The better of two requirements: longest shortest literal, then fewest literals. */
    static Set<String> better(Set<String> a, Set<String> b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        int ma = minLength(a);
        int mb = minLength(b);
        if (ma != mb) {
            return ma > mb ? a : b;
        }
        if (a.size() != b.size()) {
            return a.size() < b.size() ? a : b;
        }
        return common(a) <= common(b) ? a : b;
    }

    /** Characters benign text is full of: a literal of one of them alone lets most values through. */
    private static final String COMMON = " /.,;:=&()-_+'\"%?";

    /** How many of the literals are one common character (a letter, a digit or one of {@link #COMMON}). */
    static int common(Set<String> s) {
        int n = 0;
        for (String x : s) {
            if (x.length() == 1) {
                char c = x.charAt(0);
                if (Character.isLetterOrDigit(c) || COMMON.indexOf(c) >= 0) {
                    n++;
                }
            }
        }
        return n;
    }

    static int minLength(Set<String> s) {
        int m = Integer.MAX_VALUE;
        for (String x : s) {
            m = Math.min(m, x.length());
        }
        return m;
    }

    static Set<String> product(Set<String> a, Set<String> b) {
        if ((long) a.size() * b.size() > EXACT_LIMIT) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String x : a) {
            for (String y : b) {
                out.add(x + y);
            }
        }
        return out;
    }
}
