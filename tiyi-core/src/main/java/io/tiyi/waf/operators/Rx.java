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
 * catastrophically on a crafted input records an error instead of holding a worker thread. The
 * reads are also charged to the transaction ({@link MatchContext#chargeRegexSteps}) every
 * {@link BoundedInput#WINDOW} reads and at the end, which is where the transaction's own step and
 * time budget stops a matcher that is still going.
 *
 * <p>Each thread remembers, per costly pattern, a few short values it did not match, and answers
 * "no match" for the same value again without running the matcher: a match depends on the
 * pattern and the value alone. Header values and argument names repeat from request to request,
 * and the CRS's command-word patterns (6-10 KB alternations) take 2-5 µs on each, however short.
 *
 * <pre>SecRule ARGS "@rx (?i)union\s+select" "id:1,deny"</pre>
 */
final class Rx implements Operator {
    private final Pattern pattern;
    /**
     * A matcher and its input per thread: evaluations run by the million, so neither is allocated
     * per value. They live in the rule set's scratch array ({@link #slot}); this thread-local
     * holds them only for evaluations outside a rule set.
     */
    private final ThreadLocal<State> state;
    /** The slot in {@link MatchContext#scratch()}, or -1 before the rule set gave one. */
    private int slot = -1;

    /** A thread's matcher and input, and the costly values the pattern did not match lately. */
    private static final class State {
        final Matcher matcher;
        final BoundedInput input;
        /** Indexed by the value's hash; allocated at the first costly miss, so cheap patterns carry none. */
        String[] misses;

        State(Matcher matcher, BoundedInput input) {
            this.matcher = matcher;
            this.input = input;
        }
    }

    /**
     * Misses of patterns at least this long are remembered: the matcher's time goes into walking
     * the pattern's alternatives at every position of the value, far more than into reading it.
     * The CRS's command-word patterns are 6-10 KB; about 30 of its patterns are this long.
     */
    static final int COSTLY_PATTERN = 1_000;
    /** Misses that read the value at least this many times are remembered whatever the pattern. */
    static final long COSTLY_STEPS = 1_000;
    /** Longer values are not remembered: they repeat less, and each is kept whole. */
    static final int MISS_MAX_LENGTH = 128;
    /** Remembered misses per pattern and thread (a power of two). */
    static final int MISSES = 16;
    /** Literals one of which every match contains, checked before the matcher runs; null when none are known. */
    private final RegexPrefilter prefilter;
    /** Whether every miss is worth remembering ({@link #COSTLY_PATTERN}). */
    private final boolean costly;

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
        this.state = ThreadLocal.withInitial(() -> new State(pattern.matcher(""), new BoundedInput()));
        this.prefilter = RegexPrefilter.of(regex);
        this.costly = regex.length() >= COSTLY_PATTERN;
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
            ctx.countRegex(false);
            return false; // cannot match: none of the pattern's required literals occurs
        }
        State st = state(ctx);
        String[] misses = st.misses;
        boolean fits = value.length() <= MISS_MAX_LENGTH;
        if (misses != null && fits && value.equals(misses[missIndex(value)])) {
            ctx.countRegex(false);
            return false; // this exact value did not match when last seen here
        }
        ctx.countRegex(true);
        BoundedInput in = st.input.reset(value, ctx);
        Matcher m = st.matcher.reset(in);
        try {
            if (!m.find()) {
                if (fits && (costly || in.steps() >= COSTLY_STEPS)) {
                    if (misses == null) {
                        misses = st.misses = new String[MISSES];
                    }
                    misses[missIndex(value)] = value;
                }
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
            return true;
        } catch (BoundedInput.BudgetExceeded e) {
            ctx.error("@rx gave up after " + in.budget + " steps on a " + value.length() + "-byte value (pattern " + abbreviate() + ")");
            return false;
        } finally {
            // The matcher keeps only the per-thread input, whose value release() drops; the next
            // evaluation resets it, so it is not reset here as well.
            in.release();
        }
    }

    /** Where {@code value} (no longer than {@link #MISS_MAX_LENGTH}) is remembered. */
    private static int missIndex(String value) {
        int h = value.hashCode();
        return (h ^ (h >>> 16)) & (MISSES - 1);
    }

    private State state(MatchContext ctx) {
        int s = slot;
        Object[] scratch = s < 0 ? null : ctx.scratch();
        if (scratch == null) {
            return state.get();
        }
        Object st = scratch[s];
        if (st == null) {
            st = new State(pattern.matcher(""), new BoundedInput());
            scratch[s] = st;
        }
        return (State) st;
    }

    @Override
    public boolean wantsScratch() {
        return true;
    }

    @Override
    public void scratchSlot(int slot) {
        this.slot = slot;
    }

    private String abbreviate() {
        String p = pattern.pattern();
        return p.length() > 60 ? p.substring(0, 57) + "..." : p;
    }

    /**
     * A value read through a step counter. Reads are counted down in windows of at most
     * {@link #WINDOW}; at the end of each window the steps are charged to the transaction, which
     * throws when it is over budget, and the value's own budget is checked. Reused per thread.
     */
    static final class BoundedInput implements CharSequence {
        /** Steps between charges to the transaction: a time check costs a clock read per window. */
        static final long WINDOW = 1 << 16;

        /** Thrown to unwind the matcher when the budget is spent. */
        static final class BudgetExceeded extends RuntimeException {
            private static final long serialVersionUID = 1L;

            BudgetExceeded() {
                super(null, null, false, false);
            }
        }

        private String s;
        private MatchContext ctx;
        /** The steps one value may take before the operator gives up on it. */
        long budget;
        /** Steps charged (or about to be) before the current window. */
        private long used;
        /** The current window's size and what is left of it. */
        private long window;
        private long left;

        BoundedInput() {}

        /** A counter of its own, not charged to a transaction (tests). */
        BoundedInput(String s) {
            reset(s, null);
        }

        BoundedInput reset(String value, MatchContext context) {
            this.s = value;
            this.ctx = context;
            this.budget = Math.max(2_000_000L, 500L * value.length());
            this.used = 0;
            nextWindow();
            return this;
        }

        private void nextWindow() {
            long txLeft = ctx == null ? Long.MAX_VALUE : ctx.regexStepsLeft();
            // One step past what the transaction has left, so that exhausting it is seen at the charge.
            window = Math.max(1, Math.min(WINDOW, Math.min(budget - used, txLeft == Long.MAX_VALUE ? Long.MAX_VALUE : txLeft + 1)));
            left = window;
        }

        @Override
        public char charAt(int index) {
            if (--left < 0) {
                endWindow();
            }
            return s.charAt(index);
        }

        private void endWindow() {
            used += window;
            left = 0;
            if (ctx != null) {
                long w = window;
                window = 0;
                ctx.chargeRegexSteps(w);
            }
            if (used >= budget) {
                throw new BudgetExceeded();
            }
            nextWindow();
            left--; // this read
        }

        /** The steps taken since the last reset. */
        long steps() {
            return used + window - Math.max(0, left);
        }

        /** Charges what the current window used and lets go of the value. */
        void release() {
            long w = window - Math.max(0, left);
            MatchContext c = ctx;
            s = null;
            ctx = null;
            window = 0;
            left = 0;
            if (c != null && w > 0) {
                c.chargeRegexSteps(w);
            }
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
