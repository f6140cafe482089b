package io.tiyi.waf.engine;

import io.tiyi.waf.variables.Target;
import io.tiyi.waf.variables.VariableSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the rules of one phase against a transaction, with SecLang's flow: chains (every link must
 * match), {@code skip}, {@code skipAfter}, {@code allow}, and disruptive actions that end the
 * transaction unless the engine only detects.
 */
final class Evaluator {
    private Evaluator() {}

    static void phase(TxState tx, int phase) {
        if (tx.mode == EngineMode.OFF || tx.verdict != null || tx.allowedAll || (phase <= 2 && tx.allowedRequest)) {
            return;
        }
        List<Rule> list = tx.rules.phases.get(phase);
        Map<String, Integer> markers = tx.rules.markers.get(phase);
        int i = 0;
        while (i < list.size()) {
            Rule r = list.get(i);
            tx.tick();
            if (r.isMarker() || tx.removed(r)) {
                i++;
                continue;
            }
            tx.clearMatchedVars();
            if (!chain(tx, r)) {
                i++;
                continue;
            }
            tx.beginRule(r);
            if (r.log) {
                String var = tx.vars().get("MATCHED_VAR_NAME");
                String val = tx.vars().get("MATCHED_VAR");
                tx.matches.add(new TxState.Match(r, r.msg == null ? "" : r.msg.expand(tx), r.logdata == null ? "" : truncate(r.logdata.expand(tx), 512),
                        var == null ? "" : var, val == null ? "" : truncate(val, 256)));
            }
            Disruptive d = r.disruptiveOrPass();
            if (d == Disruptive.ALLOW) {
                if ("phase".equals(r.allowScope)) {
                    return;
                }
                if ("request".equals(r.allowScope)) {
                    tx.allowedRequest = true;
                    return;
                }
                tx.allowedAll = true;
                return;
            }
            if ((d == Disruptive.DENY || d == Disruptive.DROP || d == Disruptive.REDIRECT) && tx.mode == EngineMode.ON) {
                int status = d == Disruptive.REDIRECT ? (r.status >= 300 && r.status < 400 ? r.status : 302) : r.status > 0 ? r.status : 403;
                tx.verdict = new TxState.Verdict(r, status, d, r.redirect == null ? null : r.redirect.expand(tx),
                        r.msg == null ? "" : r.msg.expand(tx));
                return;
            }
            if (r.skipAfter != null) {
                Integer at = markers.get(r.skipAfter);
                i = at == null ? list.size() : at + 1;
                continue;
            }
            if (r.skip > 0) {
                int skipped = 0;
                i++;
                while (i < list.size() && skipped < r.skip) {
                    if (!list.get(i).isMarker()) {
                        skipped++;
                    }
                    i++;
                }
                continue;
            }
            i++;
        }
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    /**
     * Evaluates a chain link by link. As in ModSecurity, a link's non-disruptive actions run for
     * each value it matches, before the next link is evaluated: CRS relies on it (a head's
     * {@code setvar} records every matched header name for the chained rule to check), and it is
     * why scoring {@code setvar}s sit on the last link.
     */
    private static boolean chain(TxState tx, Rule head) {
        for (Rule x = head; x != null; x = x.next) {
            if (!one(tx, x, head)) {
                return false;
            }
        }
        return true;
    }

    /** Evaluates one link; on a match sets MATCHED_VAR(S) to what it matched. */
    private static boolean one(TxState tx, Rule r, Rule head) {
        tx.beginRule(r);
        tx.countedRules++;
        if (r.targets.isEmpty()) {
            tx.countedValues++;
            boolean m = r.operator.evaluate(tx, "") != r.negated;
            if (m) {
                runActions(tx, r, head);
            }
            return m;
        }
        List<VariableSelector> exclusions = tx.exclusionsFor(r);
        boolean cacheable = r.targetSet >= 0;
        List<Target> targets = cacheable ? tx.cachedTargets(r, exclusions) : null;
        if (targets == null) {
            targets = resolve(tx, r, exclusions);
            if (cacheable) {
                tx.cacheTargets(r, exclusions, targets);
            }
        }
        int n = targets.size();
        tx.countedValues += n;
        Target last = null;
        String lastHit = null;
        for (int i = 0; i < n; i++) {
            Target t = targets.get(i);
            tx.tick();
            String hit = null;
            if (r.multiMatch) {
                String v = t.value();
                if (r.operator.evaluate(tx, v) != r.negated) {
                    hit = v;
                }
                for (int k = 0; hit == null && k < r.transformations.size(); k++) {
                    String nv = r.transformations.get(k).apply(v);
                    if (nv != v && r.operator.evaluate(tx, nv) != r.negated) {
                        hit = nv;
                    }
                    v = nv;
                }
            } else {
                String v = tx.transform(r.chain, t);
                if (r.operator.evaluate(tx, v) != r.negated) {
                    hit = v;
                }
            }
            if (hit != null) {
                if (last == null) {
                    tx.clearMatchedVars();
                }
                last = t;
                lastHit = hit;
                // As in ModSecurity, a link's non-disruptive actions run for every value it matches,
                // with MATCHED_VAR and the captures of that value.
                String name = t.name();
                tx.addMatchedVar(name, hit);
                tx.setMatched(name, hit);
                runActions(tx, r, head);
            }
        }
        if (last == null) {
            return false;
        }
        tx.setMatched(last.name(), lastHit);
        return true;
    }

    private static void runActions(TxState tx, Rule r, Rule head) {
        List<Action> actions = r.runtime;
        for (int i = 0, n = actions.size(); i < n; i++) {
            actions.get(i).execute(tx, head);
        }
    }

    /** The values of a rule's targets, in the order of its selectors. */
    private static List<Target> resolve(TxState tx, Rule r, List<VariableSelector> exclusions) {
        List<VariableSelector> selectors = r.targets;
        if (selectors.size() == 1) {
            return tx.vars().resolve(selectors.get(0), exclusions);
        }
        List<Target> targets = null;
        for (int i = 0, n = selectors.size(); i < n; i++) {
            List<Target> some = tx.vars().resolve(selectors.get(i), exclusions);
            if (some.isEmpty()) {
                continue;
            }
            if (targets == null) {
                targets = some; // resolve's lists are the caller's own
            } else {
                targets.addAll(some);
            }
        }
        return targets == null ? List.of() : targets;
    }
}
