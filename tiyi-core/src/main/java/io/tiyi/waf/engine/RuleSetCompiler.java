package io.tiyi.waf.engine;

import io.tiyi.waf.operators.OperatorException;
import io.tiyi.waf.operators.Operators;
import io.tiyi.waf.seclang.Directive;
import io.tiyi.waf.seclang.SecLangException;
import io.tiyi.waf.transforms.Transformation;
import io.tiyi.waf.variables.VariableSelector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SecLang directives into a {@link RuleSet}: builds rules and chains, applies
 * SecDefaultAction, and carries out the directives that edit loaded rules (SecRuleRemove*,
 * SecRuleUpdate*) at the point they appear, as ModSecurity does. Every error names the file, the
 * line and what was expected.
 */
public final class RuleSetCompiler {
    private static final Logger LOG = LoggerFactory.getLogger(RuleSetCompiler.class);
    private static final Set<String> IGNORED = Set.of("secauditengine", "secauditlog", "secauditlog2", "secauditlogparts",
            "secauditlogrelevantstatus", "secauditlogstoragedir", "secauditlogtype", "secauditlogformat", "secauditlogfilemode",
            "secauditlogdirmode", "secdebuglog", "secdebugloglevel", "sectmpdir", "secdatadir", "secuploaddir", "secuploadkeepfiles",
            "secuploadfilemode", "secuploadfilelimit", "secpcrematchlimit", "secpcrematchlimitrecursion", "secstatusengine",
            "secunicodemapfile", "secgeolookupdb", "sechttpblkey", "secserversignature", "sectmpsaveuploadedfiles",
            "secrequestbodyinmemorylimit", "seccollectiontimeout",
            "seccookieformat", "secconnengine", "seccontentinjection", "secstreamoutbodyinspection", "secwebappid",
            "secsensorid", "secremoterules", "secremoterulesfailaction", "secxmlexternalentity", "secinterceptonerror");

    private static final Set<String> KNOWN = Set.of("secrule", "secaction", "secmarker", "secdefaultaction", "secruleengine",
            "secrequestbodyaccess", "secresponsebodyaccess", "secrequestbodylimit", "secrequestbodynofileslimit", "secargumentslimit",
            "secrequestbodyjsondepthlimit", "secresponsebodylimit", "secrequestbodylimitaction", "secresponsebodylimitaction",
            "secresponsebodymimetype", "secresponsebodymimetypesclear", "secargumentseparator", "seccomponentsignature",
            "secruleremovebyid", "secruleremovebytag", "secruleremovebymsg", "secruleupdatetargetbyid", "secruleupdatetargetbytag",
            "secruleupdatetargetbymsg", "secruleupdateactionbyid");

    private final List<Rule> rules = new ArrayList<>();
    /** Second opinions by rule id, applied to the rules' operators when the set is built. */
    private final Map<Long, Confirmation> confirmations = new HashMap<>();
    final Map<Long, Rule> byId = new LinkedHashMap<>();
    private final Map<Integer, List<ActionSpec>> defaults = new HashMap<>();
    final Map<List<Transformation>, TransformChain> chains = new HashMap<>();
    final Map<List<List<VariableSelector>>, Integer> targetSets = new HashMap<>();
    /** Operators given a slot in the rule set's per-thread scratch array, once each (builds share them). */
    final java.util.IdentityHashMap<io.tiyi.waf.operators.Operator, Integer> scratchGiven = new java.util.IdentityHashMap<>();
    /** Collections that rules write (setvar, setenv, capture, matches): their values change within a phase. */
    private static final Set<String> RULE_WRITTEN = Set.of("TX", "ENV", "IP", "GLOBAL", "SESSION", "USER", "RESOURCE", "RULE", "MATCHED_VAR",
            "MATCHED_VAR_NAME", "MATCHED_VARS", "MATCHED_VARS_NAMES", "TIME", "TIME_EPOCH", "DURATION");
    private Rule pendingChain;

    EngineMode mode = EngineMode.ON;
    boolean requestBodyAccess = true;
    boolean responseBodyAccess;
    long requestBodyLimit = 13_107_200;
    /** ModSecurity's built-in SecRequestBodyNoFilesLimit (its recommended configuration lowers it to 128 KiB). */
    long requestBodyNoFilesLimit = 1_048_576;
    /** SecArgumentsLimit: ModSecurity 2 and Coraza default to 1000 (ModSecurity 3 to none). */
    int argumentsLimit = 1000;
    /** SecRequestBodyJsonDepthLimit, as in ModSecurity's recommended configuration. */
    int jsonDepthLimit = 512;
    boolean requestBodyLimitReject = true;
    long responseBodyLimit = 524_288;
    boolean responseBodyLimitReject;
    final Set<String> responseMimeTypes = new LinkedHashSet<>(List.of("text/plain", "text/html"));
    String argumentSeparator = "&";
    final List<String> componentSignatures = new ArrayList<>();

    /** Adds directives in order. */
    public RuleSetCompiler add(List<Directive> directives) {
        for (Directive d : directives) {
            try {
                directive(d);
            } catch (SecLangException e) {
                if (!d.quotable() && e.quotesText()) {
                    throw withoutText(d);
                }
                throw e;
            } catch (RuntimeException e) {
                if (!d.quotable()) {
                    throw withoutText(d);
                }
                if (e instanceof OperatorException || e instanceof IllegalArgumentException) {
                    throw new SecLangException(d.where(), e.getMessage());
                }
                throw e;
            }
        }
        return this;
    }

    /**
     * The error for a directive from a file its author may not read: operator, action and regex
     * messages quote their arguments, so none of them is kept; the place and the directive's name,
     * when it is one SecLang knows, are.
     */
    private static SecLangException withoutText(Directive d) {
        String lower = d.name().toLowerCase(Locale.ROOT);
        boolean known = KNOWN.contains(lower) || IGNORED.contains(lower);
        return SecLangException.withoutText(d.where(), (known ? d.name() : "the directive") + " on this line does not load (text from a"
                + " rule file is not repeated in errors; open the file at this line)");
    }

    /** The chain of {@code steps}, made with the chains of its prefixes when new. */
    private TransformChain chain(List<Transformation> steps) {
        TransformChain c = chains.get(steps);
        if (c == null) {
            TransformChain parent = steps.size() > 1 ? chain(steps.subList(0, steps.size() - 1)) : null;
            c = new TransformChain(steps, parent, chains.size());
            chains.put(List.copyOf(steps), c);
        }
        return c;
    }

    /** Finishes loading. */
    /**
     * Makes rule {@code id}'s matches stand only when {@code c} agrees (for a chain, its first
     * link). Rules with that id loaded later than this call are covered too; an id no rule has is
     * ignored, so a rule set without the rule builds as before.
     */
    public RuleSetCompiler confirm(long id, Confirmation c) {
        confirmations.put(id, java.util.Objects.requireNonNull(c));
        return this;
    }

    public RuleSet build() {
        if (!confirmations.isEmpty()) {
            for (Rule r : rules) {
                Confirmation c = confirmations.get(r.id);
                if (c != null && r.operator != null) {
                    r.operator = new ConfirmedOperator(r.operator, c);
                }
            }
        }
        if (pendingChain != null) {
            throw pendingChain.quotable ? new SecLangException(pendingChain.where(), "rule " + pendingChain.id + " ends with 'chain' but no rule follows it")
                    : SecLangException.withoutText(pendingChain.where(), "the rule on this line ends with 'chain' but no rule follows it");
        }
        for (Rule r : rules) {
            for (Rule x = r; x != null; x = x.next) {
                if (x.operator != null && x.operator.wantsScratch() && !scratchGiven.containsKey(x.operator)) {
                    scratchGiven.put(x.operator, scratchGiven.size());
                    x.operator.scratchSlot(scratchGiven.size() - 1);
                }
                x.chain = chain(List.copyOf(x.transformations));
                boolean stable = !x.targets.isEmpty() && x.targets.stream().noneMatch(t -> RULE_WRITTEN.contains(t.collection()));
                if (stable) {
                    List<List<VariableSelector>> key = List.of(List.copyOf(x.targets), List.copyOf(x.exclusions));
                    x.targetSet = targetSets.computeIfAbsent(key, k -> targetSets.size());
                }
            }
        }
        return new RuleSet(this);
    }

    List<List<Rule>> phaseLists() {
        List<List<Rule>> out = new ArrayList<>();
        for (int p = 0; p <= 5; p++) {
            out.add(new ArrayList<>());
        }
        for (Rule r : rules) {
            if (r.isMarker()) {
                for (int p = 1; p <= 5; p++) {
                    out.get(p).add(r);
                }
            } else {
                out.get(r.phase).add(r);
            }
        }
        for (int p = 0; p <= 5; p++) {
            out.set(p, List.copyOf(out.get(p)));
        }
        return List.copyOf(out);
    }

    List<Map<String, Integer>> markerIndexes(List<List<Rule>> phases) {
        List<Map<String, Integer>> out = new ArrayList<>();
        for (List<Rule> list : phases) {
            Map<String, Integer> m = new HashMap<>();
            for (int i = 0; i < list.size(); i++) {
                Rule r = list.get(i);
                if (r.isMarker()) {
                    m.put(r.marker, i);
                } else {
                    m.putIfAbsent(Long.toString(r.id), i);
                }
            }
            out.add(Map.copyOf(m));
        }
        return List.copyOf(out);
    }

    private void directive(Directive d) {
        String name = d.name().toLowerCase(Locale.ROOT);
        List<String> a = d.args();
        switch (name) {
            case "secrule" -> {
                if (a.size() < 2 || a.size() > 3) {
                    throw new SecLangException(d.where(), "SecRule expects VARIABLES \"OPERATOR\" [\"ACTIONS\"], got " + a.size() + " arguments");
                }
                secRule(d, a.get(0), a.get(1), a.size() == 3 ? a.get(2) : "");
            }
            case "secaction" -> {
                if (a.size() != 1) {
                    throw new SecLangException(d.where(), "SecAction expects one \"ACTIONS\" argument");
                }
                secRule(d, null, null, a.get(0));
            }
            case "secmarker" -> {
                if (a.size() != 1) {
                    throw new SecLangException(d.where(), "SecMarker expects one name");
                }
                Rule m = new Rule();
                m.marker = a.get(0);
                m.file = d.file();
                m.line = d.line();
                rules.add(m);
            }
            case "secdefaultaction" -> {
                List<ActionSpec> specs = ActionSpec.parseList(one(d), d.where());
                int phase = -1;
                for (ActionSpec s : specs) {
                    if (s.name().equalsIgnoreCase("phase")) {
                        phase = Phase.parse(s.value(), d.where());
                    }
                }
                if (phase < 0) {
                    throw new SecLangException(d.where(), "SecDefaultAction needs a phase");
                }
                boolean disruptive = specs.stream().anyMatch(s -> Set.of("deny", "drop", "pass", "allow", "redirect", "block")
                        .contains(s.name().toLowerCase(Locale.ROOT)));
                if (!disruptive) {
                    throw new SecLangException(d.where(), "SecDefaultAction needs a disruptive action (pass, deny, ...)");
                }
                List<ActionSpec> kept = new ArrayList<>();
                for (ActionSpec s : specs) {
                    if (!s.name().equalsIgnoreCase("phase")) {
                        kept.add(s);
                    }
                }
                defaults.put(phase, kept);
            }
            case "secruleengine" -> mode = EngineMode.parse(one(d), d.where());
            case "secrequestbodyaccess" -> requestBodyAccess = onOff(d);
            case "secresponsebodyaccess" -> responseBodyAccess = onOff(d);
            case "secrequestbodylimit" -> requestBodyLimit = number(d);
            case "secrequestbodynofileslimit" -> requestBodyNoFilesLimit = positive(d, Long.MAX_VALUE);
            case "secargumentslimit" -> argumentsLimit = (int) positive(d, Integer.MAX_VALUE);
            case "secrequestbodyjsondepthlimit" -> jsonDepthLimit = (int) positive(d, Integer.MAX_VALUE);
            case "secresponsebodylimit" -> responseBodyLimit = number(d);
            case "secrequestbodylimitaction" -> requestBodyLimitReject = limitAction(d);
            case "secresponsebodylimitaction" -> responseBodyLimitReject = limitAction(d);
            case "secresponsebodymimetype" -> {
                for (String t : String.join(" ", a).split("\\s+")) {
                    if (!t.isBlank()) {
                        responseMimeTypes.add(t.toLowerCase(Locale.ROOT));
                    }
                }
            }
            case "secresponsebodymimetypesclear" -> responseMimeTypes.clear();
            case "secargumentseparator" -> {
                String s = one(d);
                if (s.length() != 1) {
                    throw new SecLangException(d.where(), "SecArgumentSeparator takes one character, got '" + s + "'");
                }
                argumentSeparator = s;
            }
            case "seccomponentsignature" -> componentSignatures.add(one(d));
            case "secruleremovebyid" -> {
                for (String part : a) {
                    for (String p : part.split("[ ,]+")) {
                        if (p.isBlank()) {
                            continue;
                        }
                        int dash = p.indexOf('-', 1);
                        long lo = id(dash > 0 ? p.substring(0, dash) : p, d);
                        long hi = dash > 0 ? id(p.substring(dash + 1), d) : lo;
                        rules.removeIf(r -> !r.isMarker() && r.id >= lo && r.id <= hi);
                        byId.keySet().removeIf(i -> i >= lo && i <= hi);
                    }
                }
            }
            case "secruleremovebytag" -> {
                Pattern p = regex(one(d), d);
                removeWhere(r -> r.tags.stream().anyMatch(t -> p.matcher(t).find()));
            }
            case "secruleremovebymsg" -> {
                Pattern p = regex(one(d), d);
                removeWhere(r -> r.msg != null && p.matcher(r.msg.text()).find());
            }
            case "secruleupdatetargetbyid", "secruleupdatetargetbytag", "secruleupdatetargetbymsg" -> {
                if (a.size() < 2 || a.size() > 3) {
                    throw new SecLangException(d.where(), d.name() + " expects SELECTOR \"TARGETS\" [\"REPLACED_TARGET\"]");
                }
                List<Rule> hit = select(name, a.get(0), d);
                List<VariableSelector> targets = VariableSelector.parseList(a.get(1));
                for (Rule r : hit) {
                    if (a.size() == 3) {
                        VariableSelector old = VariableSelector.parseList(a.get(2)).get(0);
                        r.targets.removeIf(t -> t.toString().equalsIgnoreCase(old.toString()));
                    }
                    for (VariableSelector t : targets) {
                        (t.exclusion() ? r.exclusions : r.targets).add(t);
                    }
                }
            }
            case "secruleupdateactionbyid" -> {
                if (a.size() != 2) {
                    throw new SecLangException(d.where(), "SecRuleUpdateActionById expects ID \"ACTIONS\"");
                }
                for (Rule r : select("secruleupdatetargetbyid", a.get(0), d)) {
                    List<ActionSpec> specs = ActionSpec.parseList(a.get(1), d.where());
                    for (ActionSpec s : specs) {
                        String n = s.name().toLowerCase(Locale.ROOT);
                        if (n.equals("id") || n.equals("phase") || n.equals("chain")) {
                            throw new SecLangException(d.where(), "SecRuleUpdateActionById cannot change " + n);
                        }
                        Action act = Actions.create(s, d.where());
                        if (n.equals("t")) {
                            act.init(r);
                        } else {
                            act.init(r);
                            if (act.runtime()) {
                                r.runtime.add(act);
                            }
                        }
                    }
                }
            }
            default -> {
                if (IGNORED.contains(name)) {
                    LOG.debug("{}: {} has no effect in Tiyi", d.where(), d.name());
                } else {
                    throw new SecLangException(d.where(), "unknown directive " + d.name());
                }
            }
        }
    }

    private void removeWhere(java.util.function.Predicate<Rule> p) {
        List<Rule> gone = rules.stream().filter(r -> !r.isMarker() && p.test(r)).toList();
        rules.removeAll(gone);
        for (Rule r : gone) {
            byId.remove(r.id);
        }
    }

    private List<Rule> select(String directive, String selector, Directive d) {
        List<Rule> out = new ArrayList<>();
        if (directive.endsWith("byid")) {
            for (String p : selector.split("[ ,]+")) {
                int dash = p.indexOf('-', 1);
                long lo = id(dash > 0 ? p.substring(0, dash) : p, d);
                long hi = dash > 0 ? id(p.substring(dash + 1), d) : lo;
                for (Rule r : byId.values()) {
                    if (r.id >= lo && r.id <= hi) {
                        out.add(r);
                    }
                }
            }
        } else {
            Pattern p = regex(selector, d);
            for (Rule r : byId.values()) {
                boolean hit = directive.endsWith("bytag") ? r.tags.stream().anyMatch(t -> p.matcher(t).find())
                        : r.msg != null && p.matcher(r.msg.text()).find();
                if (hit) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    private void secRule(Directive d, String variables, String operator, String actions) {
        Rule r = new Rule();
        r.file = d.file();
        r.line = d.line();
        r.quotable = d.quotable();
        boolean child = pendingChain != null;
        if (variables == null) {
            r.operator = Operators.create("unconditionalMatch", "", null);
            r.operatorName = "unconditionalMatch";
        } else {
            for (VariableSelector v : VariableSelector.parseList(variables)) {
                (v.exclusion() ? r.exclusions : r.targets).add(v);
            }
        }
        List<ActionSpec> specs = ActionSpec.parseList(actions, d.where());
        int phase = child ? pendingChain.phase : 2;
        for (ActionSpec s : specs) {
            if (s.name().equalsIgnoreCase("phase")) {
                phase = Phase.parse(s.value(), d.where());
            }
        }
        List<ActionSpec> all = new ArrayList<>();
        if (!child) {
            all.addAll(defaults.getOrDefault(phase, List.of()));
        }
        all.addAll(specs);
        Disruptive fromDefault = null;
        for (ActionSpec s : defaults.getOrDefault(phase, List.of())) {
            Action act = Actions.create(s, d.where());
            if (act instanceof DisruptiveAction || act instanceof Redirect) {
                Rule probe = new Rule();
                act.init(probe);
                fromDefault = probe.disruptive;
            }
        }
        for (ActionSpec s : all) {
            Action act = Actions.create(s, d.where());
            act.init(r);
            if (act.runtime()) {
                r.runtime.add(act);
            }
        }
        r.phase = phase;
        if (variables != null) {
            operator(r, operator, d);
        }
        if (child) {
            if (r.id != 0) {
                throw new SecLangException(d.where(), "a chained rule cannot have its own id (chain of rule " + pendingChain.id + ")");
            }
            r.id = pendingChain.id;
            r.chainChild = true;
            Rule tail = pendingChain;
            while (tail.next != null) {
                tail = tail.next;
            }
            tail.next = r;
            if (!r.chainsNext) {
                pendingChain = null;
            }
            return;
        }
        if (r.id == 0) {
            throw new SecLangException(d.where(), "rule has no id action (every SecRule and SecAction needs id:N)");
        }
        if (byId.containsKey(r.id)) {
            throw new SecLangException(d.where(), "duplicate rule id " + r.id + " (first defined at " + byId.get(r.id).where() + ")");
        }
        if (r.disruptive == Disruptive.BLOCK) {
            r.disruptive = fromDefault == null || fromDefault == Disruptive.BLOCK ? Disruptive.PASS : fromDefault;
        }
        rules.add(r);
        byId.put(r.id, r);
        if (r.chainsNext) {
            pendingChain = r;
        }
    }

    private void operator(Rule r, String op, Directive d) {
        String s = op;
        if (s.startsWith("!")) {
            r.negated = true;
            s = s.substring(1);
        }
        String name;
        String arg;
        if (s.startsWith("@")) {
            int sp = s.indexOf(' ');
            name = sp < 0 ? s.substring(1) : s.substring(1, sp);
            arg = sp < 0 ? "" : s.substring(sp + 1);
        } else {
            name = "rx";
            arg = s;
        }
        r.operator = Operators.create(name, arg, d.files(), d.where(), r.capture);
        r.operatorName = name;
        r.operatorArgument = arg;
    }

    private static String one(Directive d) {
        if (d.args().size() != 1) {
            throw new SecLangException(d.where(), d.name() + " expects one argument, got " + d.args().size());
        }
        return d.args().get(0);
    }

    private static boolean onOff(Directive d) {
        String v = one(d);
        if (v.equalsIgnoreCase("on")) {
            return true;
        }
        if (v.equalsIgnoreCase("off")) {
            return false;
        }
        throw new SecLangException(d.where(), d.name() + " expects On or Off, got '" + v + "'");
    }

    private static long number(Directive d) {
        String v = one(d);
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new SecLangException(d.where(), d.name() + " expects a number of bytes, got '" + v + "'");
        }
    }

    /** A limit of 1 to {@code max}: a limit of 0 would refuse every request, so it is a mistake, not a setting. */
    private static long positive(Directive d, long max) {
        String v = one(d);
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SecLangException(d.where(), d.name() + " expects a number from 1 to " + max + ", got '" + v + "'");
    }

    private static boolean limitAction(Directive d) {
        String v = one(d);
        if (v.equalsIgnoreCase("reject")) {
            return true;
        }
        if (v.equalsIgnoreCase("processpartial")) {
            return false;
        }
        throw new SecLangException(d.where(), d.name() + " expects Reject or ProcessPartial, got '" + v + "'");
    }

    private static long id(String s, Directive d) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new SecLangException(d.where(), "expected a rule id or range, got '" + s + "'");
        }
    }

    private static Pattern regex(String s, Directive d) {
        try {
            return Pattern.compile(s);
        } catch (PatternSyntaxException e) {
            return Pattern.compile(Pattern.quote(s));
        }
    }
}
