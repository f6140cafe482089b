package io.tiyi.proxy;

import io.tiyi.TiyiException;
import io.tiyi.waf.Waf;
import io.tiyi.waf.WafMode;
import io.tiyi.waf.seclang.SecLangException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link Waf} of each site policy, once: the rule set (CRS or Tiyi's built-in rules)
 * with the policy's paranoia level, anomaly thresholds and exclusions written as SecLang around
 * it. Sites with the same policy share one engine; an unchanged policy keeps its engine across
 * configuration swaps. Compiling happens on the configuration thread, never on a request.
 */
public final class WafEngines {
    private static final Logger LOG = LoggerFactory.getLogger(WafEngines.class);
    static final String BUILTIN = "/io/tiyi/waf/builtin.conf";

    private record Key(RuntimeConfig.WafRules rules, RuntimeConfig.WafPolicy policy) {}

    private final Map<Key, Waf> cache = new HashMap<>();
    private RuntimeConfig.WafRules announced;

    /** The engine for a site policy; null when the policy's mode is off. */
    public synchronized Waf engine(RuntimeConfig.WafRules rules, RuntimeConfig.WafPolicy policy) {
        if ("off".equals(policy.mode())) {
            return null;
        }
        Key k = new Key(rules, policy);
        Waf w = cache.get(k);
        if (w == null) {
            w = build(rules, policy);
            cache.put(k, w);
            if (!rules.equals(announced)) {
                announced = rules;
                LOG.info("waf: {} ({} rules{})", "crs".equals(rules.kind()) ? "OWASP CRS from " + rules.crsDir() : "Tiyi's built-in rules",
                        w.ruleCount(), w.componentSignatures().isEmpty() ? "" : ", " + String.join(", ", w.componentSignatures()));
            }
        }
        return w;
    }

    /** Drops engines no longer used by {@code cfg}. */
    public synchronized void retainOnly(RuntimeConfig cfg) {
        cache.keySet().removeIf(k -> !k.rules().equals(cfg.waf()) || cfg.sites().stream().noneMatch(s -> s.waf().equals(k.policy())));
    }

    /** Compiles a policy's engine. */
    public static Waf build(RuntimeConfig.WafRules rules, RuntimeConfig.WafPolicy policy) {
        StringBuilder before = new StringBuilder();
        before.append("SecRuleEngine On\nSecRequestBodyAccess On\n");
        before.append("SecAction \"id:1990001,phase:1,pass,nolog,t:none")
                .append(",setvar:tx.blocking_paranoia_level=").append(policy.paranoia())
                .append(",setvar:tx.detection_paranoia_level=").append(policy.paranoia())
                .append(",setvar:tx.inbound_anomaly_score_threshold=").append(policy.inboundThreshold())
                .append(",setvar:tx.outbound_anomaly_score_threshold=").append(policy.outboundThreshold()).append("\"\n");
        if (policy.customRules() != null && !policy.customRules().isBlank()) {
            before.append(policy.customRules()).append('\n');
        }
        StringBuilder after = new StringBuilder();
        int n = 0;
        for (RuntimeConfig.WafExclusion x : policy.exclusions()) {
            boolean byTag = x.tag() != null;
            String what = byTag ? x.tag() : Long.toString(x.ruleId());
            String ctl = x.target() == null ? (byTag ? "ctl:ruleRemoveByTag=" : "ctl:ruleRemoveById=") + what
                    : (byTag ? "ctl:ruleRemoveTargetByTag=" : "ctl:ruleRemoveTargetById=") + what + ";" + x.target();
            if (x.pathPrefix() == null && x.method() == null) {
                if (x.target() == null) {
                    after.append(byTag ? "SecRuleRemoveByTag " : "SecRuleRemoveById ").append(what).append('\n');
                } else {
                    after.append(byTag ? "SecRuleUpdateTargetByTag " : "SecRuleUpdateTargetById ").append(what).append(" \"!")
                            .append(x.target()).append("\"\n");
                }
                continue;
            }
            long id = 1991000 + (n++);
            if (x.method() != null && x.pathPrefix() != null) {
                before.append("SecRule REQUEST_METHOD \"@streq ").append(x.method()).append("\" \"id:").append(id)
                        .append(",phase:1,pass,nolog,t:none,chain\"\n    SecRule REQUEST_FILENAME \"@beginsWith ").append(x.pathPrefix())
                        .append("\" \"t:none,").append(ctl).append("\"\n");
            } else if (x.method() != null) {
                before.append("SecRule REQUEST_METHOD \"@streq ").append(x.method()).append("\" \"id:").append(id)
                        .append(",phase:1,pass,nolog,t:none,").append(ctl).append("\"\n");
            } else {
                before.append("SecRule REQUEST_FILENAME \"@beginsWith ").append(x.pathPrefix()).append("\" \"id:").append(id)
                        .append(",phase:1,pass,nolog,t:none,").append(ctl).append("\"\n");
            }
        }
        Waf.Builder b = Waf.builder().seclang(before.toString(), "<site policy>", null);
        if ("crs".equals(rules.kind())) {
            b.crs(Path.of(rules.crsDir()));
        } else {
            b.seclang(builtin(), "builtin.conf", null);
        }
        if (after.length() > 0) {
            b.seclang(after.toString(), "<site exclusions>", null);
        }
        b.mode("block".equals(policy.mode()) ? WafMode.BLOCK : WafMode.DETECT);
        try {
            return b.build();
        } catch (SecLangException e) {
            throw new TiyiException("WAF rules cannot be loaded: " + e.getMessage());
        }
    }

    static String builtin() {
        try (InputStream in = WafEngines.class.getResourceAsStream(BUILTIN)) {
            if (in == null) {
                throw new IllegalStateException("built-in WAF rules missing from the classpath: " + BUILTIN);
            }
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
