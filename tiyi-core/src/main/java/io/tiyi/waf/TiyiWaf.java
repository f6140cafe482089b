package io.tiyi.waf;

import io.tiyi.waf.engine.RuleSet;
import io.tiyi.waf.engine.RuleSetCompiler;
import io.tiyi.waf.seclang.Directive;
import io.tiyi.waf.seclang.RuleFiles;
import io.tiyi.waf.seclang.SecLangParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A web application firewall: a compiled SecLang rule set and a {@link WafPolicy}, usable by any
 * host. Thread-safe and reusable; every request gets its own {@link Transaction}. It depends on
 * nothing of Tiyi's control or data plane: no state, no cluster, no proxy.
 *
 * <pre>{@code
 * TiyiWaf waf = TiyiWaf.builder()
 *     .crs(Path.of("/usr/share/modsecurity-crs"))
 *     .policy(WafPolicy.of(WafMode.BLOCK).withParanoia(2))
 *     .listener(event -> securityLog.offer(event))
 *     .build();
 * Transaction tx = waf.newTransaction();
 * tx.processConnection("203.0.113.7", 51234, "10.0.0.1", 443);
 * tx.processUri("/search?q=1'+or+'1'='1", "GET", "HTTP/1.1");
 * tx.addRequestHeader("Host", "shop.example");
 * tx.processRequestHeaders().ifPresent(i -> reject(i.status()));
 * }</pre>
 *
 * Rule files are read as bytes (ISO-8859-1), so patterns match request bytes one to one.
 */
public final class TiyiWaf {
    private final RuleSet rules;
    private final WafMode mode;
    private final WafEventListener listener;
    private final WafLimits limits;
    private final boolean responseRules;
    private final boolean responseBodies;

    private TiyiWaf(RuleSet rules, WafMode mode, WafEventListener listener, WafLimits limits, boolean ctlResponseBodyAccess) {
        this.rules = rules;
        this.responseRules = rules.hasRules(3) || rules.hasRules(4) || rules.hasRules(5);
        this.responseBodies = rules.responseBodyAccess() || ctlResponseBodyAccess;
        this.mode = mode;
        this.listener = listener;
        this.limits = limits;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects rule sources in order; {@link #build()} compiles them once. */
    public static final class Builder {
        private final List<Directive> directives = new ArrayList<>();
        private WafMode mode;
        private WafPolicy policy;
        private WafEventListener listener;

        private Builder() {}

        /** SecLang text, labelled {@code <inline>} in errors; Includes resolve from the working directory. */
        public Builder seclang(String text) {
            return seclang(text, "<inline>", (Path) null);
        }

        /** Trusted SecLang text with a label for errors and a directory for relative Includes and data files (any file may be read). */
        public Builder seclang(String text, String name, Path baseDir) {
            directives.addAll(SecLangParser.parse(text, name, baseDir));
            return this;
        }

        /**
         * SecLang text whose Includes and data files {@code files} resolves: {@link RuleFiles#within}
         * for rules from someone who must not read the host's files through them, whose errors then
         * never quote a file's text.
         */
        public Builder seclang(String text, String name, RuleFiles files) {
            directives.addAll(SecLangParser.parse(text, name, Objects.requireNonNull(files, "files")));
            return this;
        }

        /** A rule file (with its Includes). */
        public Builder file(Path file) {
            directives.addAll(SecLangParser.parseFile(file));
            return this;
        }

        /**
         * The OWASP CRS 4 from a directory that holds {@code rules/*.conf} and {@code crs-setup.conf}
         * (or {@code crs-setup.conf.example}; Debian's split package takes its setup file from
         * {@code /etc/modsecurity/crs}), loaded in CRS's order. See {@link io.tiyi.waf.crs.CrsLayout}.
         *
         * @throws io.tiyi.waf.seclang.SecLangException naming what is wrong, including a CRS before 4
         */
        public Builder crs(Path dir) {
            io.tiyi.waf.crs.CrsLayout layout = io.tiyi.waf.crs.CrsLayout.of(dir);
            file(layout.setupFile());
            for (Path f : layout.ruleFiles()) {
                file(f);
            }
            return this;
        }

        /**
         * Overrides SecRuleEngine; without it (and without a policy) the rules' own SecRuleEngine
         * applies. A later {@link #policy} sets the mode again.
         */
        public Builder mode(WafMode mode) {
            this.mode = Objects.requireNonNull(mode);
            return this;
        }

        /**
         * Applies a policy: its mode, paranoia level, anomaly thresholds, exclusions, request
         * body limit and {@link WafLimits} (argument limits, and rules 1990002/1990003 that refuse
         * a body the processors could not parse), whatever order rules are added in.
         */
        public Builder policy(WafPolicy policy) {
            this.policy = Objects.requireNonNull(policy);
            this.mode = policy.mode();
            return this;
        }

        /** Receives an event for every transaction that matched a logging rule or was interrupted. */
        public Builder listener(WafEventListener listener) {
            this.listener = Objects.requireNonNull(listener);
            return this;
        }

        /**
         * Compiles everything.
         *
         * @throws io.tiyi.waf.seclang.SecLangException naming the file, the line and what was expected
         */
        public TiyiWaf build() {
            RuleSetCompiler c = new RuleSetCompiler();
            if (policy != null) {
                c.add(SecLangParser.parse(PolicyRules.before(policy), "<policy>", RuleFiles.none()));
            }
            c.add(directives);
            if (policy != null) {
                c.add(SecLangParser.parse(PolicyRules.after(policy), "<policy exclusions>", RuleFiles.none()));
                if (policy.profile() == WafProfile.STANDARD) {
                    StandardConfirmations.apply(c);
                }
            }
            return new TiyiWaf(c.build(), mode, listener, policy == null ? WafLimits.defaults() : policy.limits(),
                    mentionsResponseBodyAccess(directives));
        }

        /** Whether any directive could switch response body access on per transaction (ctl:responseBodyAccess), read broadly. */
        private static boolean mentionsResponseBodyAccess(List<Directive> directives) {
            for (Directive d : directives) {
                for (String a : d.args()) {
                    if (a.toLowerCase(java.util.Locale.ROOT).contains("responsebodyaccess")) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** A new transaction with a random id. */
    public Transaction newTransaction() {
        return newTransaction(Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()));
    }

    /** A new transaction; {@code id} becomes {@code UNIQUE_ID}. */
    public Transaction newTransaction(String id) {
        return new Transaction(rules, mode, id, listener, limits);
    }

    private static final String WARM_UP_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private static final byte[] WARM_UP_FORM = "name=Jane+Doe&email=jane%40example.com&comment=Thanks+for+the+quick+delivery"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] WARM_UP_JSON = ("{\"order\":{\"id\":1042,\"items\":[{\"sku\":\"SKU-1\",\"qty\":2,\"price\":9.99},"
            + "{\"sku\":\"SKU-2\",\"qty\":1,\"price\":24.5}],\"note\":\"Leave at the door\"}}").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Runs benign requests of its own through the engine on the calling thread for up to
     * {@code budget}, and discards them: no listener hears of them and nothing is kept. A JVM
     * compiles the engine's hot code only once it has run it a while; with the CRS, an engine that
     * takes traffic cold answers its first tens of seconds under load at a fraction of its steady
     * rate, while its compiler threads compete with the requests for the CPU. A host that calls this
     * before the engine takes traffic moves that work to a time when nothing waits on it. The
     * requests are a GET with a browser's headers, a form POST and a JSON POST.
     *
     * @param budget how long to run; zero or negative runs nothing
     * @return the number of requests run
     */
    public int warmUp(java.time.Duration budget) {
        if (budget.isNegative() || budget.isZero()) {
            return 0;
        }
        long end = System.nanoTime() + budget.toNanos();
        int n = 0;
        while (System.nanoTime() - end < 0) {
            Transaction tx = new Transaction(rules, mode, "warm-up-" + n, null, limits);
            tx.processConnection("192.0.2.10", 40000 + (n & 0xfff), "192.0.2.1", 80);
            int kind = n % 3;
            tx.processUri(kind == 0 ? "/catalog/items?page=" + (n & 7) + "&sort=price" : kind == 1 ? "/contact" : "/api/orders", kind == 0 ? "GET" : "POST",
                    "HTTP/1.1");
            tx.addRequestHeader("Host", "warm-up.invalid");
            tx.addRequestHeader("User-Agent", WARM_UP_AGENT);
            tx.addRequestHeader("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
            tx.addRequestHeader("Accept-Language", "en-US,en;q=0.5");
            tx.addRequestHeader("Accept-Encoding", "gzip, deflate");
            byte[] body = kind == 1 ? WARM_UP_FORM : kind == 2 ? WARM_UP_JSON : null;
            if (body != null) {
                tx.addRequestHeader("Content-Type", kind == 1 ? "application/x-www-form-urlencoded" : "application/json");
                tx.addRequestHeader("Content-Length", Integer.toString(body.length));
            }
            if (tx.processRequestHeaders().isEmpty() && body != null && tx.wantsRequestBody()) {
                tx.appendRequestBody(body);
            }
            tx.processRequestBody();
            tx.addResponseHeader("Content-Type", "text/html; charset=utf-8");
            tx.processResponseHeaders(200, "HTTP/1.1");
            tx.processResponseBody();
            n++;
        }
        return n;
    }

    /** The mode transactions run in, or empty when the rules' SecRuleEngine decides. */
    public java.util.Optional<WafMode> mode() {
        return java.util.Optional.ofNullable(mode);
    }

    /** The policy's limits, or the defaults when the WAF was built without a policy. */
    public WafLimits limits() {
        return limits;
    }

    /** The number of rules loaded (a chain counts once). */
    public int ruleCount() {
        return rules.size();
    }

    /** Whether a rule id is loaded. */
    public boolean hasRule(long id) {
        return rules.contains(id);
    }

    /**
     * Whether any rule runs after the request phases (3, 4 or 5). Without one, nothing a response
     * carries can match, and a host may skip feeding responses to transactions.
     */
    public boolean inspectsResponses() {
        return responseRules;
    }

    /**
     * Whether a transaction may inspect a response body: SecResponseBodyAccess is on, or a rule
     * may turn it on with {@code ctl:responseBodyAccess}. When not, a response's status and headers
     * are all its phases see, and a host may feed them once the response is over.
     */
    public boolean inspectsResponseBodies() {
        return responseBodies;
    }

    /** SecRequestBodyLimit: the most request body bytes the WAF reads. */
    public long requestBodyLimit() {
        return rules.requestBodyLimit();
    }

    /** SecRequestBodyLimitAction: true to refuse larger bodies with 413, false to inspect only the first part. */
    public boolean rejectsOversizedRequestBody() {
        return rules.rejectsOversizedRequestBody();
    }

    /** SecComponentSignature values (for CRS, its version). */
    public List<String> componentSignatures() {
        return rules.componentSignatures();
    }
}
