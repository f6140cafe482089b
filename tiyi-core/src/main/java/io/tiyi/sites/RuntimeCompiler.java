package io.tiyi.sites;

import static io.tiyi.store.generated.Tables.CERTIFICATES;

import io.tiyi.certs.Certificates;
import io.tiyi.internal.Json;
import io.tiyi.proxy.RuntimeConfig;
import io.tiyi.settings.LimitsSettings;
import io.tiyi.settings.Settings;
import io.tiyi.settings.SiemSettings;
import io.tiyi.store.Committed;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.CertificatesRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles state into a {@link RuntimeConfig} and hands it to a consumer (the local data plane,
 * later the bundle signer). Requests coalesce: a burst of commits while a compile runs yields one
 * more compile, not one per commit.
 */
public final class RuntimeCompiler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeCompiler.class);

    private final StateStore store;
    private final Sites sites;
    private final Certificates certificates;
    private final Settings settings;
    private final WafPolicies policies;
    private final io.tiyi.sites.Trust trust;
    /** Debian's modsecurity-crs package. */
    static final java.nio.file.Path DEBIAN_CRS = java.nio.file.Path.of("/usr/share/modsecurity-crs");
    private final LongSupplier version;
    private final Consumer<RuntimeConfig> sink;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tiyi-runtime-compiler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean pending = new AtomicBoolean();

    public RuntimeCompiler(StateStore store, Sites sites, Certificates certificates, Settings settings, WafPolicies policies,
            io.tiyi.sites.Trust trust, LongSupplier version, Consumer<RuntimeConfig> sink) {
        this.policies = policies;
        this.trust = trust;
        this.store = store;
        this.sites = sites;
        this.certificates = certificates;
        this.settings = settings;
        this.version = version;
        this.sink = sink;
    }

    /** Compiles the current state now, on the caller's thread. */
    public RuntimeConfig compile() {
        long v = version.getAsLong();
        List<RuntimeConfig.SiteConfig> out = new ArrayList<>();
        java.util.Map<String, RuntimeConfig.WafPolicy> waf = policies.all();
        for (Site s : sites.list()) {
            List<RuntimeConfig.RouteConfig> routes = new ArrayList<>();
            for (Site.Route r : s.routes()) {
                routes.add(new RuntimeConfig.RouteConfig(r.pathPrefix(), new RuntimeConfig.PoolConfig(r.upstreams(), r.lb(), s.healthPath())));
            }
            out.add(new RuntimeConfig.SiteConfig(s.name(), s.hosts(), new RuntimeConfig.PoolConfig(s.upstreams(), s.lb(), s.healthPath()),
                    routes, s.certificate(), waf.getOrDefault(s.name(), RuntimeConfig.WafPolicy.defaults())));
        }
        List<RuntimeConfig.CertificateConfig> certs = new ArrayList<>();
        for (CertificatesRecord r : store.read(db -> db.selectFrom(CERTIFICATES).orderBy(CERTIFICATES.NAME).fetch())) {
            certs.add(new RuntimeConfig.CertificateConfig(r.getName(), r.getCertPem(), certificates.privateKey(r),
                    List.of(Json.read(r.getSans(), String[].class)), r.getNotAfter()));
        }
        RuntimeConfig.Listeners listeners = new RuntimeConfig.Listeners(settings.value("proxy.http_addr"), settings.value("proxy.https_addr"));
        io.tiyi.trust.TrustProfile tp = trust.profile();
        return new RuntimeConfig(v, listeners, out, certs, wafRules(settings),
                new RuntimeConfig.TrustConfig(tp.trustedProxies(), tp.clientIpHeaders(), tp.cdnProviders(), trust.trustedCdnLists(tp)),
                SiemSettings.config(settings), LimitsSettings.limits(settings));
    }

    /** The rules {@link #wafRules(String)} picks, with {@code waf.rules_dirs} for sites' custom rules. */
    public static RuntimeConfig.WafRules wafRules(Settings settings) {
        return wafRules(settings.value("waf.crs_dir")).withRulesDirs(io.tiyi.settings.RulesDirs.parse(settings.value("waf.rules_dirs")));
    }

    /**
     * {@code waf.crs_dir}, else Debian's CRS package when it holds CRS 4, else the built-in rules.
     * A CRS that cannot be used (a CRS 3 package, a directory removed after it was set) never takes
     * sites down: it is skipped with one WARNING and the built-in rules run.
     */
    public static RuntimeConfig.WafRules wafRules(String configured) {
        return wafRules(configured, DEBIAN_CRS, io.tiyi.waf.crs.CrsLayout.DEBIAN_SETUP_DIR);
    }

    static RuntimeConfig.WafRules wafRules(String configured, java.nio.file.Path debianRules, java.nio.file.Path debianSetup) {
        if (configured != null && !configured.isEmpty()) {
            try {
                io.tiyi.waf.crs.CrsLayout.of(java.nio.file.Path.of(configured), debianSetup);
                return new RuntimeConfig.WafRules("crs", configured);
            } catch (io.tiyi.waf.seclang.SecLangException e) {
                warnOnce("waf.crs_dir cannot be used: " + e.getMessage() + "; Tiyi's built-in rules run until it is fixed"
                        + " (tiyi crs status)");
                return BUILTIN_RULES;
            }
        }
        if (java.nio.file.Files.isDirectory(debianRules.resolve("rules"))) {
            try {
                io.tiyi.waf.crs.CrsLayout.of(debianRules, debianSetup);
                return new RuntimeConfig.WafRules("crs", debianRules.toString());
            } catch (io.tiyi.waf.seclang.SecLangException e) {
                warnOnce("waf: skipping the CRS found in " + debianRules + ": " + e.getMessage() + "; Tiyi's built-in rules run");
            }
        }
        return BUILTIN_RULES;
    }

    private static final RuntimeConfig.WafRules BUILTIN_RULES = new RuntimeConfig.WafRules("builtin", null);
    private static final java.util.Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Each compile asks again; the operator needs to read the reason once, not on every change. */
    private static void warnOnce(String message) {
        if (WARNED.size() < 100 && WARNED.add(message)) {
            LOG.warn(message);
        }
    }

    /** After each commit: every committed change asks for a compile. */
    public void committed(Committed<?> c) {
        request();
    }

    /** Asks for a compile soon; returns at once. */
    public void request() {
        if (pending.compareAndSet(false, true)) {
            try {
                worker.execute(() -> {
                    pending.set(false);
                    try {
                        sink.accept(compile());
                    } catch (RuntimeException e) {
                        LOG.error("runtime config: compile or apply failed: {}; the data plane keeps its previous configuration", e.toString(), e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                pending.set(false);
            }
        }
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
