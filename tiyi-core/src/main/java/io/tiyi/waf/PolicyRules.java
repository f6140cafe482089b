package io.tiyi.waf;

/**
 * A {@link WafPolicy} written as SecLang around the rule set: variables and path- or
 * method-scoped exclusions before it (phase 1 rules that run first), whole-rule removals and
 * the body limit after it (configuration-time directives that need the rules loaded).
 */
final class PolicyRules {
    /** Rule ids of the generated rules; CRS reserves nothing in 1990000-1999999. */
    private static final long VARIABLES_RULE = 1_990_001;
    private static final long FIRST_EXCLUSION_RULE = 1_991_000;

    private PolicyRules() {}

    static String before(WafPolicy p) {
        StringBuilder s = new StringBuilder();
        s.append("SecRequestBodyAccess On\n");
        s.append("SecAction \"id:").append(VARIABLES_RULE).append(",phase:1,pass,nolog,t:none")
                .append(",setvar:tx.blocking_paranoia_level=").append(p.paranoia())
                .append(",setvar:tx.detection_paranoia_level=").append(p.paranoia())
                .append(",setvar:tx.inbound_anomaly_score_threshold=").append(p.inboundThreshold())
                .append(",setvar:tx.outbound_anomaly_score_threshold=").append(p.outboundThreshold()).append("\"\n");
        long id = FIRST_EXCLUSION_RULE;
        for (RuleExclusion x : p.exclusions()) {
            if (x.pathPrefix() == null && x.method() == null) {
                continue;
            }
            String ctl = ctl(x);
            if (x.method() != null && x.pathPrefix() != null) {
                s.append("SecRule REQUEST_METHOD \"@streq ").append(x.method()).append("\" \"id:").append(id)
                        .append(",phase:1,pass,nolog,t:none,chain\"\n    SecRule REQUEST_FILENAME \"@beginsWith ").append(x.pathPrefix())
                        .append("\" \"t:none,").append(ctl).append("\"\n");
            } else if (x.method() != null) {
                s.append("SecRule REQUEST_METHOD \"@streq ").append(x.method()).append("\" \"id:").append(id)
                        .append(",phase:1,pass,nolog,t:none,").append(ctl).append("\"\n");
            } else {
                s.append("SecRule REQUEST_FILENAME \"@beginsWith ").append(x.pathPrefix()).append("\" \"id:").append(id)
                        .append(",phase:1,pass,nolog,t:none,").append(ctl).append("\"\n");
            }
            id++;
        }
        return s.toString();
    }

    static String after(WafPolicy p) {
        StringBuilder s = new StringBuilder();
        for (RuleExclusion x : p.exclusions()) {
            if (x.pathPrefix() != null || x.method() != null) {
                continue;
            }
            boolean byTag = x.tag() != null;
            String what = byTag ? x.tag() : Long.toString(x.ruleId());
            if (x.target() == null) {
                s.append(byTag ? "SecRuleRemoveByTag " : "SecRuleRemoveById ").append(what).append('\n');
            } else {
                s.append(byTag ? "SecRuleUpdateTargetByTag " : "SecRuleUpdateTargetById ").append(what).append(" \"!")
                        .append(x.target()).append("\"\n");
            }
        }
        s.append("SecRequestBodyLimit ").append(p.requestBodyLimit()).append('\n');
        return s.toString();
    }

    private static String ctl(RuleExclusion x) {
        boolean byTag = x.tag() != null;
        String what = byTag ? x.tag() : Long.toString(x.ruleId());
        return x.target() == null ? (byTag ? "ctl:ruleRemoveByTag=" : "ctl:ruleRemoveById=") + what
                : (byTag ? "ctl:ruleRemoveTargetByTag=" : "ctl:ruleRemoveTargetById=") + what + ";" + x.target();
    }
}
