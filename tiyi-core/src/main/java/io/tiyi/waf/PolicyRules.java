package io.tiyi.waf;

/**
 * A {@link WafPolicy} written as SecLang around the rule set: variables, the body-error rules
 * and path- or method-scoped exclusions before it (rules that run first in their phase),
 * whole-rule removals and the body and argument limits after it (configuration-time directives
 * that need the rules loaded, or that must win over the rule set's own).
 */
final class PolicyRules {
    /** Rule ids of the generated rules; CRS reserves nothing in 1990000-1999999. */
    private static final long VARIABLES_RULE = 1_990_001;
    /** ModSecurity's recommended rule 200002. */
    static final long BODY_ERROR_RULE = 1_990_002;
    /** ModSecurity's recommended rule 200003. */
    static final long MULTIPART_STRICT_RULE = 1_990_003;
    private static final long FIRST_EXCLUSION_RULE = 1_991_000;

    /** The rules of {@link WafProfile#STANDARD}, ids 1992000-1992999. */
    private static final String STANDARD = resource("profile-standard.conf");

    private PolicyRules() {}

    private static String resource(String name) {
        try (java.io.InputStream in = PolicyRules.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("WAF profile rules missing from the classpath: " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String before(WafPolicy p) {
        StringBuilder s = new StringBuilder();
        s.append("SecRequestBodyAccess On\n");
        s.append("SecAction \"id:").append(VARIABLES_RULE).append(",phase:1,pass,nolog,t:none")
                .append(",setvar:tx.blocking_paranoia_level=").append(p.paranoia())
                .append(",setvar:tx.detection_paranoia_level=").append(p.paranoia())
                .append(",setvar:tx.inbound_anomaly_score_threshold=").append(p.inboundThreshold())
                .append(",setvar:tx.outbound_anomaly_score_threshold=").append(p.outboundThreshold()).append("\"\n");
        if (p.profile() == WafProfile.STANDARD) {
            s.append(STANDARD);
        }
        if (p.limits().blockBodyErrors()) {
            bodyErrorRules(s);
        }
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
        WafLimits l = p.limits();
        s.append("SecArgumentsLimit ").append(l.maxArguments()).append('\n');
        s.append("SecRequestBodyNoFilesLimit ").append(l.maxArgumentBytes()).append('\n');
        s.append("SecRequestBodyJsonDepthLimit ").append(l.maxJsonDepth()).append('\n');
        return s.toString();
    }

    /**
     * A body the processors could not read as its Content-Type says was not inspected as the
     * backend will read it: refused with 400 in block mode, logged in detect mode (deny does not
     * disrupt there). First in phase 2, before any rule reads the half-parsed arguments. The
     * multipart flags are ModSecurity's: PE processor error, BQ boundary quoted (not an error
     * here), BW boundary whitespace, DB data before, DA data after, HF header folding, LF bare LF
     * lines, SM missing semicolon, IQ invalid quoting, IP invalid part, IH invalid header folding,
     * FL file limit exceeded.
     */
    private static void bodyErrorRules(StringBuilder s) {
        s.append("SecRule REQBODY_ERROR \"!@eq 0\" \"id:").append(BODY_ERROR_RULE)
                .append(",phase:2,t:none,log,auditlog,deny,status:400,severity:2,tag:'tiyi/body-error'")
                .append(",msg:'Failed to parse request body: %{REQBODY_ERROR_MSG}',logdata:'%{REQBODY_ERROR_MSG}'\"\n");
        s.append("SecRule MULTIPART_STRICT_ERROR \"!@eq 0\" \"id:").append(MULTIPART_STRICT_RULE)
                .append(",phase:2,t:none,log,auditlog,deny,status:400,severity:2,tag:'tiyi/body-error'")
                .append(",msg:'Multipart request body failed strict validation'")
                .append(",logdata:'PE %{REQBODY_PROCESSOR_ERROR}, BQ %{MULTIPART_BOUNDARY_QUOTED}, BW %{MULTIPART_BOUNDARY_WHITESPACE}, ")
                .append("DB %{MULTIPART_DATA_BEFORE}, DA %{MULTIPART_DATA_AFTER}, HF %{MULTIPART_HEADER_FOLDING}, LF %{MULTIPART_LF_LINE}, ")
                .append("SM %{MULTIPART_MISSING_SEMICOLON}, IQ %{MULTIPART_INVALID_QUOTING}, IP %{MULTIPART_INVALID_PART}, ")
                .append("IH %{MULTIPART_INVALID_HEADER_FOLDING}, FL %{MULTIPART_FILE_LIMIT_EXCEEDED}'\"\n");
    }

    private static String ctl(RuleExclusion x) {
        boolean byTag = x.tag() != null;
        String what = byTag ? x.tag() : Long.toString(x.ruleId());
        return x.target() == null ? (byTag ? "ctl:ruleRemoveByTag=" : "ctl:ruleRemoveById=") + what
                : (byTag ? "ctl:ruleRemoveTargetByTag=" : "ctl:ruleRemoveTargetById=") + what + ";" + x.target();
    }
}
