package io.tiyi.waf.operators;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code @rx PATTERN}: true when the regular expression matches anywhere in the value. With the
 * {@code capture} action, groups 0-9 go to {@code TX.0}-{@code TX.9}.
 *
 * <p>Every evaluation is bounded: the matcher reads the input through a counter and gives up
 * after {@link BoundedInput#budget} character reads, so a pattern that backtracks
 * catastrophically on a crafted input records an error instead of holding a worker thread.
 *
 * <pre>SecRule ARGS "@rx (?i)union\s+select" "id:1,deny"</pre>
 */
final class Rx implements Operator {
    private final Pattern pattern;
    private final ThreadLocal<Matcher> matchers;
    /** Literals one of which every match contains, checked before the matcher runs; null when none are known. */
    private final RegexPrefilter prefilter;

    public Rx(String regex) {
        this(regex, true);
    }

    /**
     * @param capturing false when no rule reads the groups: they are then compiled as
     *     non-capturing, which the matcher does not have to record
     */
    public Rx(String regex, boolean capturing) {
        try {
            this.pattern = Pattern.compile(capturing ? regex : withoutCaptures(regex), Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw new OperatorException("@rx: invalid regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
        this.matchers = ThreadLocal.withInitial(() -> pattern.matcher(""));
        this.prefilter = RegexPrefilter.of(regex);
    }

    /**
     * Rewrites plain capturing groups {@code (} as {@code (?:}. Patterns with back-references keep
     * their groups; escapes and character classes are respected.
     */
    static String withoutCaptures(String re) {
        if (re.matches("(?s).*\\\\(?:[1-9]|k<).*")) {
            return re;
        }
        StringBuilder out = new StringBuilder(re.length() + 16);
        int classDepth = 0;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\' && i + 1 < re.length()) {
                out.append(c).append(re.charAt(++i));
                if (re.charAt(i) == 'Q') {
                    int end = re.indexOf("\\E", i);
                    int stop = end < 0 ? re.length() : end + 2;
                    out.append(re, i + 1, stop);
                    i = stop - 1;
                }
                continue;
            }
            if (c == '[') {
                classDepth++;
                out.append(c);
                // A ] first in a class (after an optional ^) is a member, not the end of the class.
                if (i + 1 < re.length() && re.charAt(i + 1) == '^') {
                    out.append(re.charAt(++i));
                }
                if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
                    out.append(re.charAt(++i));
                }
                continue;
            }
            if (c == ']' && classDepth > 0) {
                classDepth--;
            } else if (c == '(' && classDepth == 0 && (i + 1 >= re.length() || re.charAt(i + 1) != '?')) {
                out.append("(?:");
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    public Pattern pattern() {
        return pattern;
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        if (prefilter != null && !prefilter.mayMatch(value)) {
            return false; // cannot match: none of the pattern's required literals occurs
        }
        BoundedInput in = new BoundedInput(value);
        Matcher m = matchers.get().reset(in);
        try {
            if (!m.find()) {
                return false;
            }
        } catch (BoundedInput.BudgetExceeded e) {
            m.reset("");
            ctx.error("@rx gave up after " + in.budget + " steps on a " + value.length() + "-byte value (pattern " + abbreviate() + ")");
            return false;
        }
        if (ctx.capturing()) {
            for (int g = 0; g <= Math.min(9, m.groupCount()); g++) {
                String v = m.group(g);
                if (v != null) {
                    ctx.capture(g, v);
                }
            }
        }
        m.reset("");
        return true;
    }

    private String abbreviate() {
        String p = pattern.pattern();
        return p.length() > 60 ? p.substring(0, 57) + "..." : p;
    }

    /** A value read through a step counter. */
    static final class BoundedInput implements CharSequence {
        /** Thrown to unwind the matcher when the budget is spent. */
        static final class BudgetExceeded extends RuntimeException {
            private static final long serialVersionUID = 1L;

            BudgetExceeded() {
                super(null, null, false, false);
            }
        }

        private final String s;
        final long budget;
        private long left;

        BoundedInput(String s) {
            this.s = s;
            this.budget = Math.max(2_000_000L, 500L * s.length());
            this.left = budget;
        }

        @Override
        public char charAt(int index) {
            if (--left < 0) {
                throw new BudgetExceeded();
            }
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return s.subSequence(start, end);
        }

        @Override
        public String toString() {
            return s;
        }
    }
}
