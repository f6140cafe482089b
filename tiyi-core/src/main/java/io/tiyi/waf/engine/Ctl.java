package io.tiyi.waf.engine;

import io.tiyi.waf.seclang.SecLangException;
import io.tiyi.waf.variables.VariableSelector;
import java.util.List;
import java.util.Locale;

/**
 * {@code ctl:option=value}: changes configuration for the rest of this transaction only.
 * Supported: {@code ruleEngine}, {@code ruleRemoveById} (ids and ranges), {@code ruleRemoveByTag},
 * {@code ruleRemoveTargetById=ID;TARGET}, {@code ruleRemoveTargetByTag=TAG;TARGET},
 * {@code requestBodyProcessor}, {@code requestBodyAccess}, {@code responseBodyAccess},
 * {@code forceRequestBodyVariable}. Audit and debug log options are accepted and have no effect.
 */
final class Ctl implements Action {
    private final String option;
    private final String value;
    private final List<VariableSelector> targets;
    /** The option lower-cased, and the ID or tag part of a ruleRemoveTarget value: made once, not per match. */
    private final String lowerOption;
    private final String idOrTag;

    Ctl(String v, String where) {
        int eq = v == null ? -1 : v.indexOf('=');
        if (eq <= 0) {
            throw new SecLangException(where, "ctl needs option=value, got '" + v + "'");
        }
        this.option = v.substring(0, eq).trim();
        this.value = v.substring(eq + 1).trim();
        this.lowerOption = option.toLowerCase(Locale.ROOT);
        this.idOrTag = value.indexOf(';') < 0 ? null : value.substring(0, value.indexOf(';')).trim();
        switch (lowerOption) {
            case "ruleremovetargetbyid", "ruleremovetargetbytag" -> {
                int semi = value.indexOf(';');
                if (semi < 0) {
                    throw new SecLangException(where, "ctl:" + option + " needs ID;TARGET, got '" + value + "'");
                }
                List<VariableSelector> t = VariableSelector.parseList(value.substring(semi + 1));
                this.targets = t.stream().map(s -> new VariableSelector(s.collection(), s.key(), s.keyPattern(), false, true)).toList();
            }
            case "ruleengine", "ruleremovebyid", "ruleremovebytag", "requestbodyprocessor", "requestbodyaccess", "responsebodyaccess",
                    "forcerequestbodyvariable", "auditengine", "auditlogparts", "debugloglevel", "ruleremovebymsg",
                    "requestbodylimit", "hashengine", "hashenforcement", "parseXmlIntoArgs" -> this.targets = null;
            default -> throw new SecLangException(where, "unsupported ctl option '" + option + "'");
        }
    }

    @Override
    public void init(Rule rule) {
        // Runs at match time only.
    }

    @Override
    public boolean runtime() {
        return true;
    }

    @Override
    public void execute(TxState tx, Rule rule) {
        String v = value;
        switch (lowerOption) {
            case "ruleengine" -> tx.setMode(EngineMode.parse(v, "ctl:ruleEngine"));
            case "ruleremovebyid" -> {
                for (String part : v.split("[ ,]+")) {
                    int dash = part.indexOf('-', 1);
                    if (dash > 0) {
                        tx.removeRuleRange(Numbers.parse(part.substring(0, dash)), Numbers.parse(part.substring(dash + 1)));
                    } else if (!part.isBlank()) {
                        tx.removeRuleRange(Numbers.parse(part), Numbers.parse(part));
                    }
                }
            }
            case "ruleremovebytag" -> tx.removeRuleTag(v);
            case "ruleremovetargetbyid" -> {
                String idPart = idOrTag;
                int dash = idPart.indexOf('-', 1);
                long lo = Numbers.parse(dash > 0 ? idPart.substring(0, dash) : idPart);
                long hi = dash > 0 ? Numbers.parse(idPart.substring(dash + 1)) : lo;
                tx.removeTargets(lo, hi, targets);
            }
            case "ruleremovetargetbytag" -> tx.removeTargetsByTag(idOrTag, targets);
            case "requestbodyprocessor" -> tx.setRequestBodyProcessor(v.toUpperCase(Locale.ROOT));
            case "requestbodyaccess" -> tx.setRequestBodyAccess(v.equalsIgnoreCase("on"));
            case "responsebodyaccess" -> tx.setResponseBodyAccess(v.equalsIgnoreCase("on"));
            case "forcerequestbodyvariable" -> tx.setForceRequestBodyVariable(v.equalsIgnoreCase("on"));
            default -> {
                // Audit/debug log and hashing options: accepted, no effect in this engine.
            }
        }
    }
}
