package io.tiyi.waf.engine;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A compiled, immutable rule set with its engine settings: what a {@code TiyiWaf} runs. Built once by
 * {@link RuleSetCompiler}; shared by every transaction.
 */
public final class RuleSet {
    final List<List<Rule>> phases;
    final List<Map<String, Integer>> markers;
    final Map<Long, Rule> byId;
    final EngineMode mode;
    final boolean requestBodyAccess;
    final boolean responseBodyAccess;
    final long requestBodyLimit;
    final long requestBodyNoFilesLimit;
    final boolean requestBodyLimitReject;
    final int argumentsLimit;
    final int jsonDepthLimit;
    final long responseBodyLimit;
    final boolean responseBodyLimitReject;
    final Set<String> responseMimeTypes;
    final String argumentSeparator;
    final List<String> componentSignatures;
    final int transformChains;
    final int targetSets;

    RuleSet(RuleSetCompiler c) {
        this.phases = c.phaseLists();
        this.markers = c.markerIndexes(phases);
        this.byId = Collections.unmodifiableMap(new HashMap<>(c.byId));
        this.mode = c.mode;
        this.requestBodyAccess = c.requestBodyAccess;
        this.responseBodyAccess = c.responseBodyAccess;
        this.requestBodyLimit = c.requestBodyLimit;
        this.requestBodyNoFilesLimit = c.requestBodyNoFilesLimit;
        this.requestBodyLimitReject = c.requestBodyLimitReject;
        this.argumentsLimit = c.argumentsLimit;
        this.jsonDepthLimit = c.jsonDepthLimit;
        this.responseBodyLimit = c.responseBodyLimit;
        this.responseBodyLimitReject = c.responseBodyLimitReject;
        this.responseMimeTypes = Set.copyOf(c.responseMimeTypes);
        this.argumentSeparator = c.argumentSeparator;
        this.componentSignatures = List.copyOf(c.componentSignatures);
        this.transformChains = c.chains.size();
        this.targetSets = c.targetSets.size();
        int slots = c.scratchGiven.size();
        this.scratch = ThreadLocal.withInitial(() -> new Object[slots]);
    }

    /** Per-thread working state of the rule set's operators (see {@link io.tiyi.waf.operators.Operator#wantsScratch}). */
    final ThreadLocal<Object[]> scratch;

    /** The number of rules (chains count once). */
    public int size() {
        return byId.size();
    }

    /** The engine mode SecRuleEngine set. */
    public EngineMode mode() {
        return mode;
    }

    /** Whether a rule with this id is loaded. */
    public boolean contains(long id) {
        return byId.containsKey(id);
    }

    /** The ids of every loaded rule. */
    public Set<Long> ids() {
        return byId.keySet();
    }

    /** SecComponentSignature values, for example the CRS version. */
    public List<String> componentSignatures() {
        return componentSignatures;
    }

    public boolean requestBodyAccess() {
        return requestBodyAccess;
    }

    public long requestBodyLimit() {
        return requestBodyLimit;
    }

    /**
     * SecRequestBodyNoFilesLimit: the most bytes of a request body not counting file contents.
     * Past it the body is a body error and only the first part is inspected.
     */
    public long requestBodyNoFilesLimit() {
        return requestBodyNoFilesLimit;
    }

    /** SecArgumentsLimit: the most arguments (query and body together) parsed; past it, a body error. */
    public int argumentsLimit() {
        return argumentsLimit;
    }

    /** SecRequestBodyJsonDepthLimit: the deepest JSON nesting parsed; deeper, a body error. */
    public int jsonDepthLimit() {
        return jsonDepthLimit;
    }

    /** SecArgumentSeparator (default {@code &}). */
    public String argumentSeparator() {
        return argumentSeparator;
    }

    /** SecRequestBodyLimitAction Reject (true) or ProcessPartial. */
    public boolean rejectsOversizedRequestBody() {
        return requestBodyLimitReject;
    }

    public boolean responseBodyAccess() {
        return responseBodyAccess;
    }

    public long responseBodyLimit() {
        return responseBodyLimit;
    }

    /**
     * Whether {@code phase} (1-5) holds a rule; markers do not count. A phase without one has
     * nothing to evaluate, whatever the transaction holds.
     */
    public boolean hasRules(int phase) {
        for (Rule r : phases.get(phase)) {
            if (!r.isMarker()) {
                return true;
            }
        }
        return false;
    }

    /** Whether a response of this content type is inspected (SecResponseBodyMimeType). */
    public boolean inspectsResponseType(String contentType) {
        if (contentType == null) {
            return false;
        }
        String ct = contentType.toLowerCase(java.util.Locale.ROOT);
        int semi = ct.indexOf(';');
        return responseMimeTypes.contains((semi < 0 ? ct : ct.substring(0, semi)).trim());
    }
}
