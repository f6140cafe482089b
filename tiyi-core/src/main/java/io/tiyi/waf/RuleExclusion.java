package io.tiyi.waf;

import io.tiyi.waf.variables.VariableSelector;
import java.util.List;
import java.util.Locale;

/**
 * Takes a rule, or every rule with a tag, out of a {@link WafPolicy}: entirely or for one target
 * (such as {@code ARGS:q}), everywhere or only under a path prefix and/or for a method. Checked
 * when made; a value that could not be written safely into SecLang is refused.
 *
 * <pre>{@code
 * RuleExclusion.rule(942100).onPath("/search").onMethod("GET").target("ARGS:q")
 * RuleExclusion.tag("attack-xss").onPath("/cms/")
 * }</pre>
 *
 * @param ruleId the rule, or 0 when {@code tag} names the rules
 * @param tag every rule with this tag, or null
 * @param pathPrefix only for request paths starting with it, or null
 * @param method only for this HTTP method, or null
 * @param target only this target of the rules (one variable), or null for the whole rule
 */
public record RuleExclusion(long ruleId, String tag, String pathPrefix, String method, String target) {
    public RuleExclusion {
        if ((ruleId > 0) == (tag != null)) {
            throw new IllegalArgumentException("an exclusion names either a rule id (> 0) or a tag, got rule " + ruleId + " and tag " + tag);
        }
        if (tag != null && !tag.matches("[A-Za-z0-9_./:-]{1,200}")) {
            throw new IllegalArgumentException("tag must be a rule tag such as attack-sqli or paranoia-level/2, got '" + tag + "'");
        }
        if (pathPrefix != null && (!pathPrefix.startsWith("/") || pathPrefix.length() > 1024 || !pathPrefix.matches("[\\x21-\\x7e]+")
                || pathPrefix.contains("\"") || pathPrefix.contains("\\"))) {
            throw new IllegalArgumentException("pathPrefix must be a path starting with '/' without spaces, quotes or backslashes, got '"
                    + pathPrefix + "'");
        }
        if (method != null && !method.matches("[A-Z]{1,20}")) {
            throw new IllegalArgumentException("method must be an HTTP method in capitals such as POST, got '" + method + "'");
        }
        if (target != null && !singleVariable(target)) {
            throw new IllegalArgumentException("target must be one variable such as ARGS:q or REQUEST_COOKIES:/^sess/, got '" + target + "'");
        }
    }

    private static boolean singleVariable(String t) {
        if (t.isEmpty() || t.length() > 256 || t.contains("\"") || t.chars().anyMatch(c -> c <= ' ')) {
            return false;
        }
        try {
            List<VariableSelector> sel = VariableSelector.parseList(t);
            return sel.size() == 1 && !sel.get(0).exclusion() && !sel.get(0).count();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Excludes one rule. */
    public static RuleExclusion rule(long id) {
        return new RuleExclusion(id, null, null, null, null);
    }

    /** Excludes every rule with {@code tag}. */
    public static RuleExclusion tag(String tag) {
        return new RuleExclusion(0, tag, null, null, null);
    }

    /** Only for paths starting with {@code prefix}. */
    public RuleExclusion onPath(String prefix) {
        return new RuleExclusion(ruleId, tag, prefix, method, target);
    }

    /** Only for requests with {@code m}. */
    public RuleExclusion onMethod(String m) {
        return new RuleExclusion(ruleId, tag, pathPrefix, m == null ? null : m.toUpperCase(Locale.ROOT), target);
    }

    /** Only for one target, such as {@code ARGS:q}. */
    public RuleExclusion target(String variable) {
        return new RuleExclusion(ruleId, tag, pathPrefix, method, variable);
    }
}
