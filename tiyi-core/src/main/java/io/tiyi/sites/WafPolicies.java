package io.tiyi.sites;

import static io.tiyi.store.generated.Tables.SITES;
import static io.tiyi.store.generated.Tables.WAF_EXCLUSIONS;
import static io.tiyi.store.generated.Tables.WAF_POLICIES;

import io.tiyi.TiyiException;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.internal.Text;
import io.tiyi.proxy.RuntimeConfig;
import io.tiyi.settings.Settings;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationContext;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.WafPoliciesRecord;
import io.tiyi.waf.WafProfile;
import io.tiyi.waf.variables.VariableSelector;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Per-site WAF policy (mode, paranoia, anomaly thresholds, strict bodies) and rule exclusions. */
public final class WafPolicies implements RpcService {
    /** Modes a site can run. */
    public static final List<String> MODES = List.of("off", "detect", "block");

    private final StateStore store;
    private final MutationPipeline pipeline;
    private final Settings settings;

    /** @param settings where a dry run finds the rule set in force ({@code waf.crs_dir}) */
    public WafPolicies(StateStore store, MutationPipeline pipeline, Settings settings) {
        this.store = store;
        this.pipeline = pipeline;
        this.settings = settings;
    }

    /**
     * A site's policy with its exclusions, as the API shows it.
     *
     * @param site the site
     * @param mode off, detect or block
     * @param paranoia 1-4
     * @param inboundThreshold inbound anomaly threshold
     * @param outboundThreshold outbound anomaly threshold
     * @param exclusions the exclusions, each with its id
     * @param customRules the site's own SecLang, or null
     * @param strictBodies a body the WAF cannot parse, or over the {@code waf.limits.*} settings, is
     *     refused in block mode and reported in detect mode
     * @param profile {@code standard} (the CRS with a protocol policy for modern traffic) or
     *     {@code crs} (the rule set as it ships)
     * @param stored whether the policy was ever set; a site without one runs these defaults, and
     *     its first policy gets the {@code standard} profile unless told otherwise
     */
    public record Policy(String site, String mode, int paranoia, int inboundThreshold, int outboundThreshold, List<Exclusion> exclusions,
            String customRules, boolean strictBodies, String profile, boolean stored) {}

    /**
     * An exclusion as the API shows it.
     *
     * @param id its id, for removal
     * @param ruleId the rule, or 0 for a tag
     * @param tag the tag whose rules are excluded, or null
     * @param pathPrefix path scope or null
     * @param method method scope or null
     * @param target target or null for the whole rule
     */
    public record Exclusion(long id, long ruleId, String tag, String pathPrefix, String method, String target) {}

    public Policy get(String site) {
        return store.read(db -> {
            if (!db.fetchExists(SITES, SITES.NAME.eq(site))) {
                throw TiyiException.notFound("no site named '" + site + "'");
            }
            WafPoliciesRecord r = db.selectFrom(WAF_POLICIES).where(WAF_POLICIES.SITE.eq(site)).fetchOne();
            RuntimeConfig.WafPolicy d = RuntimeConfig.WafPolicy.defaults();
            List<Exclusion> ex = db.selectFrom(WAF_EXCLUSIONS).where(WAF_EXCLUSIONS.SITE.eq(site)).orderBy(WAF_EXCLUSIONS.ID)
                    .fetch(x -> new Exclusion(x.getId(), x.getRuleId(), x.getTag(), x.getPathPrefix(), x.getMethod(), x.getTarget()));
            return r == null ? new Policy(site, d.mode(), d.paranoia(), d.inboundThreshold(), d.outboundThreshold(), ex, null, d.strictBodies(),
                    d.profile(), false)
                    : new Policy(site, r.getMode(), r.getParanoia(), r.getInboundThreshold(), r.getOutboundThreshold(), ex, r.getCustomRules(),
                            r.getStrictBodies(), r.getProfile(), true);
        });
    }

    /** Every site's policy in the form the data plane runs. */
    public Map<String, RuntimeConfig.WafPolicy> all() {
        return store.read(db -> {
            Map<String, List<RuntimeConfig.WafExclusion>> ex = new HashMap<>();
            db.selectFrom(WAF_EXCLUSIONS).orderBy(WAF_EXCLUSIONS.ID).forEach(x -> ex.computeIfAbsent(x.getSite(), k -> new java.util.ArrayList<>())
                    .add(new RuntimeConfig.WafExclusion(x.getRuleId(), x.getTag(), x.getPathPrefix(), x.getMethod(), x.getTarget())));
            Map<String, RuntimeConfig.WafPolicy> out = new LinkedHashMap<>();
            for (String site : db.select(SITES.NAME).from(SITES).fetch(SITES.NAME)) {
                WafPoliciesRecord r = db.selectFrom(WAF_POLICIES).where(WAF_POLICIES.SITE.eq(site)).fetchOne();
                RuntimeConfig.WafPolicy d = RuntimeConfig.WafPolicy.defaults();
                out.put(site, r == null ? new RuntimeConfig.WafPolicy(d.mode(), d.paranoia(), d.inboundThreshold(), d.outboundThreshold(),
                        ex.getOrDefault(site, List.of()), null, d.strictBodies())
                        : new RuntimeConfig.WafPolicy(r.getMode(), r.getParanoia(), r.getInboundThreshold(), r.getOutboundThreshold(),
                                ex.getOrDefault(site, List.of()), r.getCustomRules(), r.getStrictBodies(), r.getProfile()));
            }
            return out;
        });
    }

    /**
     * Changes a site's policy; null fields stay as they are. Custom SecLang is compiled with the
     * policy before it is stored, so a rule that does not load is refused with its line. A site
     * whose policy was never set gets the standard profile unless {@code profile} says otherwise.
     */
    public Policy set(String actor, String site, String mode, Integer paranoia, Integer inbound, Integer outbound, String customRules,
            Boolean strictBodies, String profile) {
        Text.requirePlain("site", site);
        Text.requirePlain("mode", mode);
        Text.requirePlain("profile", profile);
        Policy cur = get(site);
        String m = mode == null ? cur.mode() : mode.trim().toLowerCase(Locale.ROOT);
        if (!MODES.contains(m)) {
            throw TiyiException.invalid("--mode must be off, detect or block; got '" + mode + "'");
        }
        int p = paranoia == null ? cur.paranoia() : paranoia;
        if (p < 1 || p > 4) {
            throw TiyiException.invalid("--paranoia must be 1 to 4; got " + p);
        }
        int in = inbound == null ? cur.inboundThreshold() : inbound;
        int out = outbound == null ? cur.outboundThreshold() : outbound;
        if (in < 1 || in > 10_000 || out < 1 || out > 10_000) {
            throw TiyiException.invalid("anomaly thresholds must be 1 to 10000; got inbound " + in + ", outbound " + out);
        }
        String custom = customRules == null ? cur.customRules() : customRules.isBlank() ? null : customRules;
        if (custom != null) {
            // Read files as the data plane will: only inside the CRS rules directory and waf.rules_dirs.
            // The message quotes what the caller typed, never a file's text, so it is safe to return and to audit.
            io.tiyi.waf.seclang.RuleFiles files = io.tiyi.proxy.WafEngines.ruleFiles(RuntimeCompiler.wafRules(settings));
            try {
                io.tiyi.waf.TiyiWaf.builder().seclang(custom, "custom rules of site " + site, files).build();
            } catch (io.tiyi.waf.seclang.SecLangException e) {
                throw TiyiException.invalid(e.getMessage());
            }
        }
        boolean strict = strictBodies == null ? cur.strictBodies() : strictBodies;
        String prof;
        if (profile == null) {
            prof = cur.stored() ? cur.profile() : WafProfile.STANDARD.id();
        } else {
            try {
                prof = WafProfile.of(profile).id();
            } catch (IllegalArgumentException e) {
                throw TiyiException.invalid("--profile must be standard or crs; got '" + profile + "'");
            }
        }
        pipeline.apply(actor, new SetPolicy(site, m, p, in, out, custom, strict, prof));
        return get(site);
    }

    /** Adds an exclusion of a rule id or of every rule with a tag; the target, if any, must be a variable such as ARGS:q. */
    public Policy exclude(String actor, String site, long ruleId, String tag, String pathPrefix, String method, String target) {
        Text.requirePlain("site", site);
        Text.requirePlain("tag", tag);
        Text.requirePlain("path_prefix", pathPrefix);
        Text.requirePlain("method", method);
        Text.requirePlain("target", target);
        String t0 = tag == null || tag.isBlank() ? null : tag.trim();
        if ((ruleId > 0) == (t0 != null)) {
            throw TiyiException.invalid("give either --rule ID or --tag TAG (not both), got rule " + ruleId + " and tag " + tag);
        }
        if (t0 != null && !t0.matches("[A-Za-z0-9_./:-]{1,200}")) {
            throw TiyiException.invalid("--tag must be a rule tag such as attack-sqli or paranoia-level/2; got '" + tag + "'");
        }
        String path = pathPrefix == null || pathPrefix.isEmpty() ? null : SiteRules.path(pathPrefix, "--path-prefix");
        String m = method == null || method.isBlank() ? null : method.trim().toUpperCase(Locale.ROOT);
        if (m != null && !m.matches("[A-Z]{1,20}")) {
            throw TiyiException.invalid("--method must be an HTTP method such as POST; got '" + method + "'");
        }
        String t = target == null || target.isBlank() ? null : target.trim();
        if (t != null) {
            try {
                List<VariableSelector> sel = VariableSelector.parseList(t);
                if (sel.size() != 1 || sel.get(0).exclusion() || sel.get(0).count()) {
                    throw new IllegalArgumentException("one variable expected");
                }
            } catch (RuntimeException e) {
                throw TiyiException.invalid("--target must be one variable such as ARGS:q or REQUEST_COOKIES:/^sess/; got '" + target + "'");
            }
        }
        try {
            new io.tiyi.waf.RuleExclusion(t0 == null ? ruleId : 0, t0, path, m, t);
        } catch (IllegalArgumentException e) {
            throw TiyiException.invalid(e.getMessage());
        }
        get(site);
        pipeline.apply(actor, new AddExclusion(site, t0 == null ? ruleId : 0, t0, path, m, t));
        return get(site);
    }

    public Policy removeExclusion(String actor, String site, long id) {
        pipeline.apply(actor, new RemoveExclusion(site, id));
        return get(site);
    }

    /**
     * Sets a site's policy. {@code strictBodies} and {@code profile} are null in mutations logged
     * before they existed; they replay as what those ran under: strict bodies, the CRS as it ships.
     */
    public record SetPolicy(String site, String mode, int paranoia, int inboundThreshold, int outboundThreshold, String customRules,
            Boolean strictBodies, String profile) implements Mutation<Void> {
        public static final String KIND = "waf.set_policy";

        public SetPolicy {
            strictBodies = strictBodies == null ? Boolean.TRUE : strictBodies;
            profile = profile == null ? WafProfile.CRS.id() : profile;
        }

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            SiteMutations.existing(ctx.db(), site);
            ctx.db().insertInto(WAF_POLICIES).set(WAF_POLICIES.SITE, site).set(WAF_POLICIES.MODE, mode)
                    .set(WAF_POLICIES.PARANOIA, paranoia).set(WAF_POLICIES.INBOUND_THRESHOLD, inboundThreshold)
                    .set(WAF_POLICIES.OUTBOUND_THRESHOLD, outboundThreshold).set(WAF_POLICIES.CUSTOM_RULES, customRules)
                    .set(WAF_POLICIES.STRICT_BODIES, strictBodies).set(WAF_POLICIES.PROFILE, profile).set(WAF_POLICIES.UPDATED_AT, ctx.ts())
                    .onConflict(WAF_POLICIES.SITE).doUpdate()
                    .set(WAF_POLICIES.CUSTOM_RULES, customRules).set(WAF_POLICIES.STRICT_BODIES, strictBodies).set(WAF_POLICIES.PROFILE, profile)
                    .set(WAF_POLICIES.MODE, mode).set(WAF_POLICIES.PARANOIA, paranoia).set(WAF_POLICIES.INBOUND_THRESHOLD, inboundThreshold)
                    .set(WAF_POLICIES.OUTBOUND_THRESHOLD, outboundThreshold).set(WAF_POLICIES.UPDATED_AT, ctx.ts()).execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("waf.set_policy", "site:" + site, Map.of("mode", mode, "paranoia", paranoia, "inbound_threshold",
                    inboundThreshold, "outbound_threshold", outboundThreshold, "custom_rules_bytes", customRules == null ? 0 : customRules.length(),
                    "strict_bodies", strictBodies, "profile", profile));
        }
    }

    /** Adds a rule exclusion. */
    public record AddExclusion(String site, long ruleId, String tag, String pathPrefix, String method, String target) implements Mutation<Long> {
        public static final String KIND = "waf.add_exclusion";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Long apply(MutationContext ctx) {
            SiteMutations.existing(ctx.db(), site);
            return ctx.db().insertInto(WAF_EXCLUSIONS).set(WAF_EXCLUSIONS.SITE, site).set(WAF_EXCLUSIONS.RULE_ID, ruleId)
                    .set(WAF_EXCLUSIONS.TAG, tag)
                    .set(WAF_EXCLUSIONS.PATH_PREFIX, pathPrefix).set(WAF_EXCLUSIONS.METHOD, method).set(WAF_EXCLUSIONS.TARGET, target)
                    .set(WAF_EXCLUSIONS.CREATED_AT, ctx.ts()).returning(WAF_EXCLUSIONS.ID).fetchOne().getId().longValue();
        }

        @Override
        public AuditRecord audit() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("rule_id", ruleId);
            d.put("tag", tag == null ? "" : tag);
            d.put("path_prefix", pathPrefix == null ? "" : pathPrefix);
            d.put("method", method == null ? "" : method);
            d.put("target", target == null ? "" : target);
            return new AuditRecord("waf.add_exclusion", "site:" + site, d);
        }
    }

    /** Removes a rule exclusion. */
    public record RemoveExclusion(String site, long id) implements Mutation<Void> {
        public static final String KIND = "waf.remove_exclusion";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            int n = ctx.db().deleteFrom(WAF_EXCLUSIONS).where(WAF_EXCLUSIONS.SITE.eq(site).and(WAF_EXCLUSIONS.ID.eq((int) id))).execute();
            if (n == 0) {
                throw TiyiException.notFound("site '" + site + "' has no exclusion " + id);
            }
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("waf.remove_exclusion", "site:" + site, Map.of("id", id));
        }
    }

    @Override
    public void register(RpcRegistry registry) {
        WafRpc.register(registry, this, settings);
    }
}
