package io.tiyi.proxy;

import java.util.List;
import java.util.Objects;

/**
 * Everything the data plane needs, compiled from state into one immutable value. The data plane
 * reads nothing else; a change builds a new value and swaps it in whole. It holds no reference
 * into the store, so agents can receive the same value inside a bundle.
 *
 * @param version monotonic version of the state it was compiled from (the mutation seq)
 * @param listeners the listen addresses
 * @param sites every site
 * @param certificates every TLS certificate, with its key
 * @param waf the rule set every site's WAF policy applies
 * @param trust whom the data plane believes about the client's address
 * @param siem where and what the node forwards to the SIEM
 * @param limits what one request or client may cost the data plane
 */
public record RuntimeConfig(long version, Listeners listeners, List<SiteConfig> sites, List<CertificateConfig> certificates, WafRules waf,
        TrustConfig trust, SiemConfig siem,
        @com.fasterxml.jackson.annotation.JsonInclude(value = com.fasterxml.jackson.annotation.JsonInclude.Include.CUSTOM,
                valueFilter = Limits.IsDefault.class) Limits limits) {
    public RuntimeConfig {
        Objects.requireNonNull(listeners);
        Objects.requireNonNull(waf);
        Objects.requireNonNull(trust);
        sites = List.copyOf(sites);
        certificates = List.copyOf(certificates);
        // A bundle signed before SIEM settings travelled in bundles has none: forwarding stays off.
        siem = siem == null ? SiemConfig.disabled() : siem;
        // Likewise a bundle signed before limits travelled in bundles: the defaults apply.
        limits = limits == null ? Limits.defaults() : limits;
    }

    /** A configuration with the default limits. */
    public RuntimeConfig(long version, Listeners listeners, List<SiteConfig> sites, List<CertificateConfig> certificates, WafRules waf,
            TrustConfig trust, SiemConfig siem) {
        this(version, listeners, sites, certificates, waf, trust, siem, Limits.defaults());
    }

    /** A configuration that forwards nothing to a SIEM. */
    public RuntimeConfig(long version, Listeners listeners, List<SiteConfig> sites, List<CertificateConfig> certificates, WafRules waf,
            TrustConfig trust) {
        this(version, listeners, sites, certificates, waf, trust, SiemConfig.disabled());
    }

    /** A configuration that trusts no proxy: every request's client is its TCP peer. */
    public RuntimeConfig(long version, Listeners listeners, List<SiteConfig> sites, List<CertificateConfig> certificates, WafRules waf) {
        this(version, listeners, sites, certificates, waf, TrustConfig.none());
    }

    /** This configuration with another certificate list (an agent's, with keys unsealed or removed). */
    public RuntimeConfig withCertificates(List<CertificateConfig> certs, WafRules rules) {
        return new RuntimeConfig(version, listeners, sites, certs, rules, trust, siem, limits);
    }

    /**
     * SIEM forwarding, from the {@code siem.*} settings.
     *
     * @param enabled {@code siem.enabled}
     * @param address {@code siem.address}: {@code tcp://host:port}, {@code udp://host:port},
     *     {@code unixgram:///path}, or empty
     * @param format {@code siem.format}: {@code rfc5424}, {@code cef} or {@code leef}
     * @param includeAudit {@code siem.filter.include_audit}
     * @param includeAccess {@code siem.filter.include_access}
     * @param accessSampleRate {@code siem.filter.access_sample_rate}, 0 to 1
     * @param minSeverity {@code siem.filter.min_severity}
     */
    public record SiemConfig(boolean enabled, String address, String format, boolean includeAudit, boolean includeAccess,
            double accessSampleRate, String minSeverity) {
        public SiemConfig {
            address = address == null ? "" : address;
            format = format == null ? "rfc5424" : format;
            minSeverity = minSeverity == null ? "info" : minSeverity;
        }

        public static SiemConfig disabled() {
            return new SiemConfig(false, "", "rfc5424", false, false, 1, "info");
        }

        /** True when events are to be sent somewhere. */
        public boolean active() {
            return enabled && !address.isEmpty();
        }
    }

    /**
     * What one request or client may cost the data plane, from the {@code proxy.limits.*},
     * {@code proxy.waf.*}, {@code waf.limits.*} and {@code waf.budget.*} settings. See
     * docs/hardening.md.
     *
     * @param maxRequestLine {@code proxy.limits.max_request_line}: bytes of the request line (414 when the target is what is long)
     * @param maxHeaderCount {@code proxy.limits.max_header_count}: header fields of one request (431 past it)
     * @param maxHeaderSize {@code proxy.limits.max_header_size}: bytes of one header field line (431)
     * @param maxHeadersTotal {@code proxy.limits.max_headers_total}: bytes of all header field lines (431)
     * @param headerTimeoutMs {@code proxy.limits.header_timeout}: from the first byte of a request to the end of its head
     * @param idleTimeoutMs {@code proxy.limits.idle_timeout}: how long a keep-alive connection may wait for its next request
     * @param minBodyRate {@code proxy.limits.min_body_rate}: bytes per second a request body must average over each
     *     {@code proxy.limits.body_rate_window}; 0 for no minimum
     * @param bodyRateWindowMs {@code proxy.limits.body_rate_window}
     * @param maxConnectionsPerIp {@code proxy.limits.max_connections_per_ip}: open connections of one client address
     *     (resolved through the trust profile); 0 for no cap
     * @param wafWorkers {@code proxy.waf.workers}: threads that run WAF phases 1 and 2; 0 for two per core (at least 4)
     * @param wafQueue {@code proxy.waf.queue}: requests waiting for a WAF thread before new ones are refused with 503
     * @param maxArguments {@code waf.limits.max_args}
     * @param maxArgumentBytes {@code waf.limits.max_arg_bytes}
     * @param maxJsonDepth {@code waf.limits.json_depth}
     * @param wafBudgetMs {@code waf.budget.time}: wall time of phases 1 and 2 of one request
     * @param regexSteps {@code waf.budget.regex_steps}
     * @param blockOverBudget {@code waf.budget.action} is {@code block}: over budget is refused (503) in block mode
     */
    public record Limits(int maxRequestLine, int maxHeaderCount, int maxHeaderSize, int maxHeadersTotal, long headerTimeoutMs,
            long idleTimeoutMs, long minBodyRate, long bodyRateWindowMs, int maxConnectionsPerIp, int wafWorkers, int wafQueue,
            int maxArguments, long maxArgumentBytes, int maxJsonDepth, long wafBudgetMs, long regexSteps, boolean blockOverBudget) {
        /**
         * Leaves default limits out of a bundle: an agent from before limits travelled in bundles
         * refuses fields it does not know, and still takes a bundle that carries none.
         */
        static final class IsDefault {
            @Override
            public boolean equals(Object o) {
                return o == null || defaults().equals(o);
            }

            @Override
            public int hashCode() {
                return 0;
            }
        }

        public static Limits defaults() {
            io.tiyi.waf.WafLimits w = io.tiyi.waf.WafLimits.defaults();
            return new Limits(8192, 100, 8192, 32768, 10_000, 60_000, 1024, 10_000, 256, 0, 1024, w.maxArguments(), w.maxArgumentBytes(),
                    w.maxJsonDepth(), w.budget().toMillis(), w.regexSteps(), w.blockOverBudget());
        }

        /**
         * The WAF threads to run: {@link #wafWorkers}, or two per core and at least 4. Inspection is
         * all CPU (bodies are read without a WAF thread): threads past the cores serve only to let
         * cheap requests through while as many expensive ones as there are cores are inspected.
         * More than that takes CPU from the JIT compiler while a node warms up: with four per core
         * a fresh node took a minute under load to reach its steady rate.
         */
        public int wafThreads() {
            return wafWorkers > 0 ? wafWorkers : Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        }

        /** The library's limits for a site, whose policy says whether body errors block. */
        public io.tiyi.waf.WafLimits waf(boolean blockBodyErrors) {
            return new io.tiyi.waf.WafLimits(maxArguments, maxArgumentBytes, maxJsonDepth, blockBodyErrors, java.time.Duration.ofMillis(wafBudgetMs),
                    regexSteps, blockOverBudget);
        }
    }

    /**
     * The client-IP trust profile in force, with the ranges of the CDN providers it trusts.
     *
     * @param trustedProxies CIDRs of trusted proxies
     * @param clientIpHeaders headers that carry the client address, in order of preference
     * @param cdnProviders CDN providers whose ranges are trusted
     * @param cdnRanges those providers' ranges
     */
    public record TrustConfig(List<String> trustedProxies, List<String> clientIpHeaders, List<String> cdnProviders,
            java.util.Map<String, List<String>> cdnRanges) {
        public TrustConfig {
            trustedProxies = List.copyOf(trustedProxies);
            clientIpHeaders = List.copyOf(clientIpHeaders);
            cdnProviders = List.copyOf(cdnProviders);
            cdnRanges = java.util.Map.copyOf(cdnRanges);
        }

        public static TrustConfig none() {
            return new TrustConfig(List.of(), List.of(), List.of(), java.util.Map.of());
        }
    }

    /** An empty configuration: listeners up, every host answered 404. */
    public static RuntimeConfig empty(Listeners listeners) {
        return new RuntimeConfig(0, listeners, List.of(), List.of(), new WafRules("builtin", null));
    }

    /**
     * Listen addresses as {@code host:port}.
     *
     * @param http plain HTTP listener
     * @param https TLS listener, opened only while at least one certificate exists
     */
    public record Listeners(String http, String https) {}

    /**
     * A site.
     *
     * @param name unique name
     * @param hosts exact host names and {@code *.suffix} wildcards
     * @param pool the default upstream pool
     * @param routes path routes, each with its own pool
     * @param certificate the pinned certificate name, or null to pick by SNI
     * @param waf the site's WAF policy
     */
    public record SiteConfig(String name, List<String> hosts, PoolConfig pool, List<RouteConfig> routes, String certificate, WafPolicy waf) {
        public SiteConfig {
            hosts = List.copyOf(hosts);
            routes = List.copyOf(routes);
        }
    }

    /**
     * Which rules the WAF runs, and which directories a site's custom rules may read files from.
     *
     * @param kind {@code crs} or {@code builtin}
     * @param crsDir the CRS directory, for {@code crs}
     * @param rulesDirs setting {@code waf.rules_dirs}: absolute directories custom rules may
     *     Include and read data files from, besides the CRS rules directory. Left out of the JSON
     *     when empty, and never sent to agents: they are paths on the control plane's hosts.
     */
    public record WafRules(String kind, String crsDir,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY) List<String> rulesDirs) {
        public WafRules {
            rulesDirs = rulesDirs == null ? List.of() : List.copyOf(rulesDirs);
        }

        /** Rules without directories for custom rules. */
        public WafRules(String kind, String crsDir) {
            this(kind, crsDir, List.of());
        }

        /** These rules with {@code dirs} as {@code waf.rules_dirs}. */
        public WafRules withRulesDirs(List<String> dirs) {
            return new WafRules(kind, crsDir, dirs);
        }
    }

    /**
     * A site's WAF policy.
     *
     * @param mode {@code off}, {@code detect} or {@code block}
     * @param paranoia CRS paranoia level 1-4
     * @param inboundThreshold inbound anomaly score that blocks
     * @param outboundThreshold outbound anomaly score that blocks
     * @param exclusions rule exclusions
     * @param customRules SecLang of the site, loaded before the rule set (may be null)
     * @param strictBodies a body the WAF could not parse is refused in block mode and reported in detect mode
     *     (null, from a bundle signed before the switch existed, is true)
     * @param profile {@code standard} or {@code crs} ({@link io.tiyi.waf.WafProfile}); null, from a
     *     bundle signed before profiles existed, is {@code crs}, which those bundles ran
     */
    public record WafPolicy(String mode, int paranoia, int inboundThreshold, int outboundThreshold, List<WafExclusion> exclusions,
            String customRules,
            @com.fasterxml.jackson.annotation.JsonInclude(value = com.fasterxml.jackson.annotation.JsonInclude.Include.CUSTOM,
                    valueFilter = StrictByDefault.class) Boolean strictBodies,
            @com.fasterxml.jackson.annotation.JsonInclude(value = com.fasterxml.jackson.annotation.JsonInclude.Include.CUSTOM,
                    valueFilter = CrsByDefault.class) String profile) {
        public WafPolicy {
            exclusions = List.copyOf(exclusions);
            strictBodies = strictBodies == null ? Boolean.TRUE : strictBodies;
            profile = profile == null ? io.tiyi.waf.WafProfile.CRS.id() : io.tiyi.waf.WafProfile.of(profile).id();
        }

        /** A policy of the {@code crs} profile. */
        public WafPolicy(String mode, int paranoia, int inboundThreshold, int outboundThreshold, List<WafExclusion> exclusions,
                String customRules, Boolean strictBodies) {
            this(mode, paranoia, inboundThreshold, outboundThreshold, exclusions, customRules, strictBodies, null);
        }

        /** Leaves {@code crs} out of a bundle, for agents from before profiles existed. */
        static final class CrsByDefault {
            @Override
            public boolean equals(Object o) {
                return o == null || io.tiyi.waf.WafProfile.CRS.id().equals(o);
            }

            @Override
            public int hashCode() {
                return 0;
            }
        }

        /** Leaves the default (strict) out of a bundle, for agents from before the switch existed. */
        static final class StrictByDefault {
            @Override
            public boolean equals(Object o) {
                return o == null || Boolean.TRUE.equals(o);
            }

            @Override
            public int hashCode() {
                return 0;
            }
        }

        /** A policy with strict bodies. */
        public WafPolicy(String mode, int paranoia, int inboundThreshold, int outboundThreshold, List<WafExclusion> exclusions,
                String customRules) {
            this(mode, paranoia, inboundThreshold, outboundThreshold, exclusions, customRules, Boolean.TRUE, null);
        }

        /**
         * The default of a site with no policy: detect at paranoia 1 with CRS's default thresholds,
         * strict bodies, the CRS as it ships (the first policy set gets the standard profile).
         */
        public static WafPolicy defaults() {
            return new WafPolicy("detect", 1, 5, 4, List.of(), null, Boolean.TRUE);
        }
    }

    /**
     * A rule exclusion.
     *
     * @param ruleId the rule, or 0 when {@code tag} names the rules
     * @param tag every rule with this tag, or null
     * @param pathPrefix only under this path prefix, or null
     * @param method only for this method, or null
     * @param target only this target (for example {@code ARGS:q}), or null for the whole rule
     */
    public record WafExclusion(long ruleId, String tag, String pathPrefix, String method, String target) {}

    /**
     * A path route.
     *
     * @param pathPrefix requests whose path starts with it go to {@code pool}
     * @param pool the route's upstream pool
     */
    public record RouteConfig(String pathPrefix, PoolConfig pool) {}

    /**
     * An upstream pool.
     *
     * @param upstreams base URLs, for example {@code http://10.0.0.5:8080}
     * @param lb {@code round_robin} or {@code least_conn}
     * @param healthPath path for active health checks, or null for passive ejection only
     */
    public record PoolConfig(List<String> upstreams, String lb, String healthPath) {
        public PoolConfig {
            upstreams = List.copyOf(upstreams);
        }
    }

    /**
     * A TLS certificate with its private key.
     *
     * @param name unique name
     * @param certPem the certificate chain, leaf first
     * @param keyPkcs8 the private key, PKCS#8 DER (sealed when it travels in a bundle)
     * @param sans DNS names it is valid for
     * @param notAfter expiry, ms
     */
    public record CertificateConfig(String name, String certPem, byte[] keyPkcs8, List<String> sans, long notAfter) {
        public CertificateConfig {
            sans = List.copyOf(sans);
        }

        @Override
        public String toString() {
            return "CertificateConfig[name=" + name + ", sans=" + sans + "]";
        }
    }
}
