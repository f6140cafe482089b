package io.tiyi.waf.engine;

import io.tiyi.waf.operators.MatchContext;
import io.tiyi.waf.variables.KeyValues;
import io.tiyi.waf.variables.Target;
import io.tiyi.waf.variables.TxVariables;
import io.tiyi.waf.variables.VariableSelector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine's side of one transaction: variables, per-transaction configuration changes made by
 * {@code ctl}, the matches so far, the interruption, and the transformation cache. Owned by one
 * thread at a time.
 */
public final class TxState implements MatchContext {
    final RuleSet rules;
    private final TxVariables vars = new TxVariables();
    EngineMode mode;
    boolean requestBodyAccess;
    boolean responseBodyAccess;
    boolean forceRequestBodyVariable;
    String requestBodyProcessor;
    private final List<long[]> removedRanges = new ArrayList<>();
    private final Set<String> removedTags = new HashSet<>();
    private final Map<Long, List<VariableSelector>> removedTargets = new HashMap<>();
    private final List<Map.Entry<String, List<VariableSelector>>> removedTargetsByTag = new ArrayList<>();
    final List<Match> matches = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    Verdict verdict;
    boolean allowedRequest;
    boolean allowedAll;
    int allowedPhase;
    Rule current;
    private boolean capturing;
    /**
     * Transformation results of single values (by identity), one slot per {@link TransformChain#index()};
     * collection entries keep theirs in the entry ({@link Target#memo}).
     */
    private final IdentityHashMap<String, String[]> cache = new IdentityHashMap<>();
    /** Resolved targets of stable target sets, valid for one phase (only phases feed new request data). */
    private final List<?>[] targetCache;
    /** The exclusions each {@link #targetCache} entry was resolved with. */
    private final Object[] targetCacheKeys;

    /** A rule that matched (its whole chain). */
    record Match(Rule rule, String message, String data, String variable, String value) {}

    /** How the transaction was interrupted. */
    record Verdict(Rule rule, int status, Disruptive action, String redirect, String message) {}

    /** Starts the engine state of a new transaction. */
    public static TxState start(RuleSet rules) {
        return new TxState(rules);
    }

    /** Runs the rules of a phase (1-5); phases 1 and 2 within the transaction's budget, if it has one. */
    public void runPhase(int phase) {
        java.util.Arrays.fill(targetCache, null);
        java.util.Arrays.fill(targetCacheKeys, null);
        if (phase <= 2 && budgetNanos != 0 && overBudget) {
            return; // evaluation stopped; the request passes uninspected or was refused
        }
        // A transaction's phases may run on different threads, each phase on one.
        scratch = rules.scratch.get();
        try {
            run(phase);
        } finally {
            scratch = null;
        }
    }

    private Object[] scratch;

    @Override
    public Object[] scratch() {
        return scratch;
    }

    private void run(int phase) {
        if (phase > 2 || budgetNanos == 0) {
            Evaluator.phase(this, phase);
            return;
        }
        long start = System.nanoTime();
        deadline = start + (budgetNanos - spentNanos);
        ticks = 0;
        try {
            Evaluator.phase(this, phase);
        } catch (OverBudget e) {
            overBudget(phase, spentNanos + System.nanoTime() - start);
        } finally {
            spentNanos += System.nanoTime() - start;
            deadline = 0;
        }
    }

    // --- budget ---

    /** The id of the synthetic rule that reports a transaction over its budget. */
    public static final long OVER_BUDGET_RULE = 1_990_010L;

    /** Unwinds evaluation from wherever the budget ran out; one instance, no stack trace. */
    private static final class OverBudget extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final OverBudget INSTANCE = new OverBudget();

        private OverBudget() {
            super("inspection over budget", null, false, false);
        }
    }

    /** Evaluations between two clock reads. */
    private static final int TICKS_PER_CLOCK_READ = 64;

    private long budgetNanos;
    private long regexBudget;
    private long regexStepsLeft = Long.MAX_VALUE;
    private boolean blockOverBudget;
    private long spentNanos;
    /** System.nanoTime() past which phases 1 and 2 stop; 0 outside them. */
    private long deadline;
    private int ticks;
    private boolean overBudget;

    /**
     * Bounds phases 1 and 2 of this transaction: {@code time} of evaluation in all (time spent
     * waiting for the body between them does not count) and {@code regexSteps} regex steps. Past
     * either, evaluation stops; with {@code block} and the engine on, the transaction is refused
     * with 503, otherwise it passes; either way a match of rule {@link #OVER_BUDGET_RULE} reports it.
     */
    public void budget(java.time.Duration time, long regexSteps, boolean block) {
        this.budgetNanos = time.toNanos();
        this.regexBudget = regexSteps;
        this.regexStepsLeft = regexSteps;
        this.blockOverBudget = block;
    }

    /** True once phases 1 and 2 went over their budget and evaluation stopped. */
    public boolean overBudget() {
        return overBudget;
    }

    /** Called between rules and between targets: reads the clock every {@link #TICKS_PER_CLOCK_READ} calls. */
    void tick() {
        if (deadline != 0 && ++ticks >= TICKS_PER_CLOCK_READ) {
            ticks = 0;
            if (System.nanoTime() - deadline > 0) {
                throw OverBudget.INSTANCE;
            }
        }
    }

    @Override
    public long regexStepsLeft() {
        return deadline == 0 ? Long.MAX_VALUE : regexStepsLeft;
    }

    @Override
    public void chargeRegexSteps(long steps) {
        if (deadline == 0) {
            return; // phases 3 to 5 are not budgeted
        }
        regexStepsLeft -= steps;
        if (regexStepsLeft < 0 || System.nanoTime() - deadline > 0) {
            throw OverBudget.INSTANCE;
        }
    }

    private void overBudget(int phase, long spent) {
        overBudget = true;
        String reason = "inspection over budget (" + budgetNanos / 1_000_000 + " ms / " + regexBudget + " regex steps)";
        long steps = regexBudget - Math.max(0, regexStepsLeft);
        long ms = spent / 1_000_000;
        String detail = (regexStepsLeft < 0 ? "regex steps" : "time") + " ran out in phase " + phase
                + (current == null ? "" : " at rule " + current.id) + " after " + ms + " ms and " + steps + " regex steps";
        errors.add(reason + ": " + detail);
        boolean block = blockOverBudget && mode == EngineMode.ON;
        Rule r = new Rule();
        r.id = OVER_BUDGET_RULE;
        r.phase = phase;
        r.file = "<tiyi>";
        r.severity = 2;
        r.tags.add("tiyi/over-budget");
        r.disruptive = block ? Disruptive.DENY : Disruptive.PASS;
        r.status = 503;
        matches.add(new Match(r, reason, detail, "", ""));
        if (block) {
            verdict = new Verdict(r, 503, Disruptive.DENY, null, reason);
        }
    }

    /**
     * The targets of the rule's target set resolved with these exclusions earlier in this phase, or
     * null. Exclusions are told apart by identity: {@link #exclusionsFor} gives rules of one set the
     * same instance when ctl changed nothing, or the same change, for them.
     */
    @SuppressWarnings("unchecked")
    List<io.tiyi.waf.variables.Target> cachedTargets(Rule r, List<VariableSelector> exclusions) {
        int set = r.targetSet;
        return targetCacheKeys[set] == cacheKey(r, exclusions) ? (List<io.tiyi.waf.variables.Target>) targetCache[set] : null;
    }

    void cacheTargets(Rule r, List<VariableSelector> exclusions, List<io.tiyi.waf.variables.Target> targets) {
        targetCache[r.targetSet] = targets;
        targetCacheKeys[r.targetSet] = cacheKey(r, exclusions);
    }

    /** Stands for "the rule's own exclusions", equal in every rule of a target set though not the same list. */
    private static final Object OWN_EXCLUSIONS = new Object();

    private static Object cacheKey(Rule r, List<VariableSelector> exclusions) {
        return exclusions == r.exclusions ? OWN_EXCLUSIONS : exclusions;
    }

    /** Overrides the rule set's SecRuleEngine for this transaction. */
    public void mode(EngineMode m) {
        this.mode = m;
    }

    public EngineMode mode() {
        return mode;
    }

    public boolean requestBodyAccess() {
        return requestBodyAccess;
    }

    public boolean responseBodyAccess() {
        return responseBodyAccess;
    }

    public boolean forceRequestBodyVariable() {
        return forceRequestBodyVariable;
    }

    /** The body processor a ctl action chose, or null. */
    public String requestBodyProcessor() {
        return requestBodyProcessor;
    }

    public RuleSet ruleSet() {
        return rules;
    }

    /** The interruption, once a disruptive rule matched in blocking mode. */
    public java.util.Optional<io.tiyi.waf.Interruption> interruption() {
        Verdict v = verdict;
        if (v == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new io.tiyi.waf.Interruption(v.status(), v.action().name().toLowerCase(java.util.Locale.ROOT), v.rule().id,
                v.message(), v.redirect()));
    }

    /** Interrupts from outside the rules (for example a body over its limit). */
    public void interrupt(int status, String message) {
        Rule r = new Rule();
        r.id = 0;
        verdict = new Verdict(r, status, Disruptive.DENY, null, message);
    }

    /** Every logging rule that matched, in order. */
    public List<io.tiyi.waf.MatchedRule> matchedRules() {
        List<io.tiyi.waf.MatchedRule> out = new ArrayList<>(matches.size());
        for (Match m : matches) {
            Rule r = m.rule();
            out.add(new io.tiyi.waf.MatchedRule(r.id, r.phase, m.message(), m.data(), r.severity, r.tags, m.variable(), m.value(),
                    r.disruptiveOrPass().name().toLowerCase(java.util.Locale.ROOT), r.file, r.line));
        }
        return out;
    }

    /** Evaluation errors (for example a regex that gave up). */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    TxState(RuleSet rules) {
        this.rules = rules;
        this.targetCache = new List<?>[rules.targetSets];
        this.targetCacheKeys = new Object[rules.targetSets];
        this.mode = rules.mode;
        this.requestBodyAccess = rules.requestBodyAccess;
        this.responseBodyAccess = rules.responseBodyAccess;
    }

    public TxVariables vars() {
        return vars;
    }

    // --- ctl ---

    void setMode(EngineMode m) {
        mode = m;
    }

    void removeRuleRange(long lo, long hi) {
        removedRanges.add(new long[] {lo, hi});
    }

    void removeRuleTag(String tag) {
        removedTags.add(tag);
    }

    void removeTargets(long lo, long hi, List<VariableSelector> targets) {
        for (long id : rules.byId.keySet()) {
            if (id >= lo && id <= hi) {
                removedTargets.computeIfAbsent(id, k -> new ArrayList<>()).addAll(targets);
            }
        }
    }

    void removeTargetsByTag(String tag, List<VariableSelector> targets) {
        removedTargetsByTag.add(Map.entry(tag, targets));
    }

    void setRequestBodyProcessor(String p) {
        requestBodyProcessor = p;
    }

    void setRequestBodyAccess(boolean on) {
        requestBodyAccess = on;
    }

    void setResponseBodyAccess(boolean on) {
        responseBodyAccess = on;
    }

    void setForceRequestBodyVariable(boolean on) {
        forceRequestBodyVariable = on;
    }

    boolean removed(Rule r) {
        for (long[] range : removedRanges) {
            if (r.id >= range[0] && r.id <= range[1]) {
                return true;
            }
        }
        if (!removedTags.isEmpty()) {
            for (String t : r.tags) {
                if (removedTags.contains(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The rule's own exclusions plus those ctl added for it; the same instance as {@code r.exclusions} when none were added. */
    List<VariableSelector> exclusionsFor(Rule r) {
        if (removedTargets.isEmpty() && removedTargetsByTag.isEmpty()) {
            return r.exclusions;
        }
        return computeExclusions(r);
    }

    /*
     * What ctl added, per target set: rules of one set that got the same additions share one list,
     * so that their resolved targets are cached as the set's (CRS 941010 removes REQUEST_FILENAME
     * from some thirty XSS rules on almost every request; each resolved the same targets again).
     */
    private List<?>[] ctlAdded;
    private List<?>[] ctlExclusions;

    private List<VariableSelector> computeExclusions(Rule r) {
        List<VariableSelector> extra = removedTargets.isEmpty() ? null : removedTargets.get(r.id);
        List<VariableSelector> added = null;
        for (int i = 0, n = removedTargetsByTag.size(); i < n; i++) {
            Map.Entry<String, List<VariableSelector>> e = removedTargetsByTag.get(i);
            if (r.hasTag(e.getKey())) {
                if (added == null) {
                    added = new ArrayList<>(extra == null ? List.of() : extra);
                }
                added.addAll(e.getValue());
            }
        }
        if (added == null) {
            added = extra;
        }
        if (added == null) {
            return r.exclusions;
        }
        int set = r.targetSet;
        if (set >= 0 && ctlAdded != null && added.equals(ctlAdded[set])) {
            @SuppressWarnings("unchecked")
            List<VariableSelector> same = (List<VariableSelector>) ctlExclusions[set];
            return same;
        }
        List<VariableSelector> all = new ArrayList<>(r.exclusions.size() + added.size());
        all.addAll(r.exclusions);
        all.addAll(added);
        if (set >= 0) {
            if (ctlAdded == null) {
                ctlAdded = new List<?>[rules.targetSets];
                ctlExclusions = new List<?>[rules.targetSets];
            }
            ctlAdded[set] = List.copyOf(added);
            ctlExclusions[set] = all;
        }
        return all;
    }

    // --- evaluation helpers ---

    String transform(TransformChain chain, Target t) {
        if (chain.steps().isEmpty()) {
            return t.value();
        }
        String value = t.value();
        String[] c = t.memo(rules.transformChains);
        if (c == null) {
            c = cache.get(value);
            if (c == null) {
                c = new String[rules.transformChains];
                cache.put(value, c);
            }
        }
        return chain.apply(value, c);
    }

    void beginRule(Rule r) {
        current = r;
        capturing = r.capture;
    }

    /** {@link #lookup} of an entry of a keyed collection, by its lower-cased key. */
    String lookupKeyed(String collection, String lowerKey) {
        String v = vars.macroValue(collection, lowerKey);
        return v == null ? "" : v;
    }

    /** Resolves {@code %{COLLECTION.key}} for macros; unknown references expand to empty text. */
    String lookup(String collection, String key) {
        if (collection.equals("RULE")) {
            Rule r = current;
            if (r == null || key == null) {
                return "";
            }
            switch (key.toLowerCase(java.util.Locale.ROOT)) {
                case "id":
                    return Long.toString(r.id);
                case "msg":
                    return r.msg == null ? "" : r.msg.expand(this);
                case "severity":
                    return r.severity < 0 ? "" : Integer.toString(r.severity);
                case "ver":
                    return r.ver == null ? "" : r.ver;
                case "phase":
                    return Integer.toString(r.phase);
                default:
                    return "";
            }
        }
        if (vars.isKeyed(collection)) {
            if (key == null) {
                return "";
            }
            String v = vars.macroValue(collection, key.toLowerCase(java.util.Locale.ROOT));
            return v == null ? "" : v;
        }
        String v = vars.get(collection);
        return v == null ? "" : v;
    }

    /** Operator arguments are fixed at load, so each is split into a macro once, not per evaluation. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Macro> OPERATOR_MACROS = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public String expand(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        return OPERATOR_MACROS.computeIfAbsent(text, Macro::of).expand(this);
    }

    // --- counts ---

    long countedRules;
    long countedValues;
    private long countedRegex;
    private long countedRegexRuns;

    @Override
    public void countRegex(boolean matcherRan) {
        countedRegex++;
        if (matcherRan) {
            countedRegexRuns++;
        }
    }

    /** What the engine evaluated for this transaction so far. */
    public EvaluationCounts counts() {
        return new EvaluationCounts(countedRules, countedValues, countedRegex, countedRegexRuns);
    }

    @Override
    public boolean capturing() {
        return capturing;
    }

    @Override
    public void capture(int index, String value) {
        vars.collection("TX").set(Integer.toString(index), value);
    }

    @Override
    public void error(String message) {
        Rule r = current;
        errors.add((r == null ? "" : "rule " + r.id + ": ") + message);
    }

    void setMatched(String name, String value) {
        vars.set("MATCHED_VAR", value);
        vars.set("MATCHED_VAR_NAME", name);
    }

    void clearMatchedVars() {
        vars.clearMatched();
    }

    void addMatchedVar(String name, String value) {
        vars.addMatched(name, value);
    }
}
