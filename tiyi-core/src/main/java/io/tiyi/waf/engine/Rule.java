package io.tiyi.waf.engine;

import io.tiyi.waf.operators.Operator;
import io.tiyi.waf.transforms.Transformation;
import io.tiyi.waf.variables.VariableSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled rule: targets, operator, transformations and actions, or a marker. Built at load
 * and frozen; a chain is the head rule with {@link #next} links. Fields are package-private so
 * that action classes can configure them at load.
 */
final class Rule {
    long id;
    int phase = 2;
    String file;
    int line;
    /** Whether errors may repeat this rule's text: false when it comes from a file its author may not read. */
    boolean quotable = true;
    String marker;

    List<VariableSelector> targets = new ArrayList<>();
    List<VariableSelector> exclusions = new ArrayList<>();
    Operator operator;
    String operatorName;
    String operatorArgument;
    boolean negated;
    /** Index of this rule's (targets, exclusions) pair among those whose values rules cannot change, or -1. */
    int targetSet = -1;

    final List<Transformation> transformations = new ArrayList<>();
    boolean noneSeen;
    TransformChain chain;

    Macro msg;
    Macro logdata;
    final List<String> tags = new ArrayList<>();
    /** {@link #tags} as a set, made on first use (tags may change until the rule set is built). */
    private java.util.Set<String> tagSet;
    int severity = -1;
    String ver;

    boolean log = true;
    boolean logSet;
    boolean auditlog = true;
    boolean capture;
    boolean multiMatch;

    Disruptive disruptive;
    String allowScope;
    int status;
    Macro redirect;

    int skip;
    String skipAfter;
    boolean chainsNext;
    Rule next;
    boolean chainChild;

    final List<Action> runtime = new ArrayList<>();
    final List<ActionSpec> specs = new ArrayList<>();

    /** True when the rule has this tag. */
    boolean hasTag(String tag) {
        // ctl asks every rule about the same tag instance, request after request: the last answer is
        // kept, in one immutable object so that threads sharing the rule see it whole or not at all.
        TagAnswer last = lastTag;
        if (last != null && last.tag == tag) {
            return last.has;
        }
        java.util.Set<String> s = tagSet;
        if (s == null) {
            s = java.util.Set.copyOf(tags);
            tagSet = s;
        }
        boolean has = s.contains(tag);
        lastTag = new TagAnswer(tag, has);
        return has;
    }

    private record TagAnswer(String tag, boolean has) {}

    private TagAnswer lastTag;

    boolean isMarker() {
        return marker != null;
    }

    String where() {
        return file + ":" + line;
    }

    /** The chain head's effective disruptive action. */
    Disruptive disruptiveOrPass() {
        return disruptive == null ? Disruptive.PASS : disruptive;
    }

    @Override
    public String toString() {
        return isMarker() ? "SecMarker " + marker : "rule " + id + " (" + where() + ")";
    }
}
