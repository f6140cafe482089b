package io.tiyi.proxy;

import io.tiyi.TiyiException;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.RuleExclusion;
import io.tiyi.waf.WafMode;
import io.tiyi.waf.WafPolicy;
import io.tiyi.waf.crs.CrsLayout;
import io.tiyi.waf.seclang.RuleFiles;
import io.tiyi.waf.seclang.SecLangException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link TiyiWaf} of each site policy, once: the rule set (CRS or Tiyi's built-in rules)
 * with the policy's paranoia level, anomaly thresholds and exclusions written as SecLang around
 * it, under the node's WAF limits. Sites with the same policy share one engine; an unchanged policy
 * under unchanged limits keeps its engine across configuration swaps. Compiling happens on the configuration thread, never on a request.
 */
public final class WafEngines {
    private static final Logger LOG = LoggerFactory.getLogger(WafEngines.class);
    static final String BUILTIN = "/io/tiyi/waf/builtin.conf";

    private record Key(RuntimeConfig.WafRules rules, RuntimeConfig.WafPolicy policy, RuntimeConfig.Limits limits) {}

    private final Map<Key, TiyiWaf> cache = new HashMap<>();
    private RuntimeConfig.WafRules announced;

    /** The engine for a site policy under the configuration's limits; null when the policy's mode is off. */
    public synchronized TiyiWaf engine(RuntimeConfig.WafRules rules, RuntimeConfig.WafPolicy policy, RuntimeConfig.Limits limits) {
        if ("off".equals(policy.mode())) {
            return null;
        }
        Key k = new Key(rules, policy, limits);
        TiyiWaf w = cache.get(k);
        if (w == null) {
            w = build(rules, policy, limits);
            warmUp(w);
            cache.put(k, w);
            if (!rules.equals(announced)) {
                announced = rules;
                LOG.info("waf: {} ({} rules{})", "crs".equals(rules.kind()) ? "OWASP CRS from " + rules.crsDir() : "Tiyi's built-in rules",
                        w.ruleCount(), w.componentSignatures().isEmpty() ? "" : ", " + String.join(", ", w.componentSignatures()));
            }
        }
        return w;
    }

    /** Rule sets at least this large are warmed up (the CRS has several hundred rules; Tiyi's built-in rules a few dozen). */
    static final int WARM_UP_RULES = 200;
    /** How long the first large rule set of the process runs requests of its own before it takes traffic. */
    static final java.time.Duration WARM_UP = java.time.Duration.ofSeconds(3);
    /** The engine's code is shared by every rule set: once the JIT has compiled it, later rule sets start warm. */
    private static final java.util.concurrent.atomic.AtomicBoolean WARMED = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Runs the first large engine of the process for {@link #WARM_UP} before it is put in force
     * ({@link TiyiWaf#warmUp}). It runs on the thread that applies the configuration, so the
     * previous configuration keeps serving meanwhile and no request waits on it.
     */
    private static void warmUp(TiyiWaf w) {
        if (w.ruleCount() < WARM_UP_RULES || !WARMED.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        int n = w.warmUp(WARM_UP);
        LOG.info("waf: warmed the rule engine up with {} requests of its own in {} ms before it takes traffic", n,
                java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** Drops engines no longer used by {@code cfg}. */
    public synchronized void retainOnly(RuntimeConfig cfg) {
        cache.keySet().removeIf(k -> !k.rules().equals(cfg.waf()) || !k.limits().equals(cfg.limits())
                || cfg.sites().stream().noneMatch(s -> s.waf().equals(k.policy())));
    }

    /**
     * Compiles a policy's engine: the site's custom rules, then the rule set, under the policy and
     * the limits (whose body-error handling is the policy's {@code strictBodies}). A
     * CRS that no longer compiles (its files changed after {@code waf.crs_dir} was checked) gives
     * way to the built-in rules with an ERROR, so that sites keep their protection and their
     * configuration keeps applying.
     */
    public static TiyiWaf build(RuntimeConfig.WafRules rules, RuntimeConfig.WafPolicy policy, RuntimeConfig.Limits limits) {
        try {
            return compile(rules, policy, limits);
        } catch (TiyiException e) {
            if (!"crs".equals(rules.kind())) {
                throw e;
            }
            TiyiWaf fallback = compile(BUILTIN_RULES.withRulesDirs(rules.rulesDirs()), policy, limits);
            LOG.error("waf: the CRS in {} cannot be loaded ({}); sites run Tiyi's built-in rules until it is fixed (tiyi crs status)",
                    rules.crsDir(), e.getMessage());
            return fallback;
        }
    }

    private static final RuntimeConfig.WafRules BUILTIN_RULES = new RuntimeConfig.WafRules("builtin", null);

    private static TiyiWaf compile(RuntimeConfig.WafRules rules, RuntimeConfig.WafPolicy policy, RuntimeConfig.Limits limits) {
        TiyiWaf.Builder b = TiyiWaf.builder().policy(policy(policy, limits));
        try {
            if (policy.customRules() != null && !policy.customRules().isBlank()) {
                b.seclang(policy.customRules(), "<site policy>", ruleFiles(rules));
            }
            if ("crs".equals(rules.kind())) {
                b.crs(Path.of(rules.crsDir()));
            } else {
                b.seclang(builtin(), "builtin.conf", RuleFiles.none());
            }
            return b.build();
        } catch (SecLangException e) {
            throw new TiyiException("WAF rules cannot be loaded: " + e.getMessage());
        }
    }

    /**
     * The files a site's custom rules may read: the CRS rules directory in use, then each of
     * {@code waf.rules_dirs} in order (relative paths in custom rules are looked up in that order).
     * Custom rules come from API callers, who must not read the host's other files through
     * {@code Include} or {@code @pmFromFile}.
     */
    public static RuleFiles ruleFiles(RuntimeConfig.WafRules rules) {
        List<Path> dirs = new ArrayList<>();
        if ("crs".equals(rules.kind()) && rules.crsDir() != null) {
            try {
                dirs.add(CrsLayout.of(Path.of(rules.crsDir())).rulesDir());
            } catch (SecLangException e) {
                // The CRS gives way to the built-in rules (see build); its directory allows nothing then.
            }
        }
        for (String d : rules.rulesDirs()) {
            dirs.add(Path.of(d));
        }
        return RuleFiles.within(dirs);
    }

    /** The library's policy for a site's stored one, under the node's limits. */
    static WafPolicy policy(RuntimeConfig.WafPolicy p, RuntimeConfig.Limits limits) {
        List<RuleExclusion> exclusions = new ArrayList<>();
        for (RuntimeConfig.WafExclusion x : p.exclusions()) {
            exclusions.add(new RuleExclusion(x.tag() == null ? x.ruleId() : 0, x.tag(), x.pathPrefix(), x.method(), x.target()));
        }
        return new WafPolicy("block".equals(p.mode()) ? WafMode.BLOCK : WafMode.DETECT, p.paranoia(), p.inboundThreshold(),
                p.outboundThreshold(), exclusions, WafPolicy.DEFAULT_REQUEST_BODY_LIMIT).withLimits(limits.waf(p.strictBodies()))
                .withProfile(io.tiyi.waf.WafProfile.of(p.profile()));
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
