package io.tiyi.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.rpc.WafService;
import io.tiyi.conformance.ConformanceRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** {@code tiyi waf ...}: per-site policy, exclusions, dry runs. */
final class WafCommands {
    private WafCommands() {}

    static void printPolicy(CliContext ctx, JsonNode p) {
        if (ctx.json()) {
            ctx.printJson(p);
            return;
        }
        ctx.out.printf("site %s: mode %s, profile %s, paranoia %d, anomaly thresholds inbound %d / outbound %d, strict bodies %s%n",
                Table.escape(p.get("site").asText()), Table.escape(p.get("mode").asText()), Table.escape(p.path("profile").asText("crs")),
                p.get("paranoia").asInt(), p.get("inbound_threshold").asInt(), p.get("outbound_threshold").asInt(),
                p.path("strict_bodies").asBoolean(true) ? "on" : "off");
        if (p.get("exclusions").size() > 0) {
            Table t = new Table("ID", "RULE", "PATH PREFIX", "METHOD", "TARGET");
            p.get("exclusions").forEach(x -> t.row(x.get("id").asLong(), x.path("tag").isTextual() ? "tag " + x.get("tag").asText()
                    : x.get("rule_id").asText(), x.path("path_prefix").asText(""),
                    x.path("method").asText(""), x.path("target").asText("(whole rule)")));
            t.print(ctx.out);
        }
    }

    @Parameters(commandDescription = "Show a site's WAF policy and exclusions")
    static final class Show extends AccountCommands.Base {
        @Parameter(names = "--site", description = "Site name", required = true)
        String site;

        @Override
        public int run(CliContext ctx) {
            printPolicy(ctx, ctx.client().call(WafService.GET_POLICY, new WafService.SiteRequest(site)));
            return 0;
        }
    }

    @Parameters(commandDescription = "Set a site's WAF mode, profile, paranoia level, anomaly thresholds and strict bodies")
    static final class Set extends AccountCommands.Base {
        @Parameter(names = "--site", description = "Site name", required = true)
        String site;

        @Parameter(names = "--mode", description = "off, detect or block")
        String mode;

        @Parameter(names = "--profile", description = "standard: the CRS with a protocol policy for modern traffic (what a site's first"
                + " policy gets); crs: the rule set as it ships")
        String profile;

        @Parameter(names = "--paranoia", description = "CRS paranoia level 1-4")
        Integer paranoia;

        @Parameter(names = "--inbound-threshold", description = "Inbound anomaly score that blocks (CRS default 5)")
        Integer inbound;

        @Parameter(names = "--outbound-threshold", description = "Outbound anomaly score that blocks (CRS default 4)")
        Integer outbound;

        @Parameter(names = "--custom-rules-file", description = "SecLang file of the site's own rules, loaded before the rule set ('' file clears)")
        String customRules;

        // Takes a value: a flag alone could not turn it off.
        @Parameter(names = "--strict-bodies", arity = 1, description = "true: a body the WAF cannot parse (or over the waf.limits.*"
                + " settings) is refused in block mode and reported in detect mode (default); false: rules decide")
        Boolean strictBodies;

        @Override
        public int run(CliContext ctx) {
            printPolicy(ctx, ctx.client().call(WafService.SET_POLICY, new WafService.SetRequest(site, mode, paranoia, inbound, outbound,
                    customRules == null ? null : ProxyCommands.read(customRules, "custom rules"), strictBodies, profile)));
            return 0;
        }
    }

    @Parameters(commandDescription = "Exclude a rule or every rule with a tag (or one target of them) for a site, optionally only under a path prefix and method")
    static final class Exclude extends AccountCommands.Base {
        @Parameter(names = "--site", description = "Site name", required = true)
        String site;

        @Parameter(names = "--rule", description = "Rule id (or use --tag)")
        long rule;

        @Parameter(names = "--tag", description = "Every rule with this tag, for example attack-sqli (instead of --rule)")
        String tag;

        @Parameter(names = "--path-prefix", description = "Only for paths under this prefix")
        String pathPrefix;

        @Parameter(names = "--method", description = "Only for this HTTP method")
        String method;

        @Parameter(names = "--target", description = "Only this target of the rule, for example ARGS:q (default: the whole rule)")
        String target;

        @Override
        public int run(CliContext ctx) {
            printPolicy(ctx, ctx.client().call(WafService.ADD_EXCLUSION, new WafService.ExcludeRequest(site, rule, tag, pathPrefix, method,
                    target)));
            return 0;
        }
    }

    @Parameters(commandDescription = "Remove an exclusion by the id 'tiyi waf show' lists")
    static final class Unexclude extends AccountCommands.Base {
        @Parameter(names = "--site", description = "Site name", required = true)
        String site;

        @Parameter(names = "--id", description = "Exclusion id", required = true)
        long id;

        @Override
        public int run(CliContext ctx) {
            printPolicy(ctx, ctx.client().call(WafService.REMOVE_EXCLUSION, new WafService.RemoveRequest(site, id)));
            return 0;
        }
    }

    @Parameters(commandDescription = "Run the CRS regression suite (go-ftw YAML) against a real Tiyi node started for it; last line: N passed, N failed")
    static final class Conformance extends AccountCommands.Base {
        @Parameter(names = "--crs", description = "CRS directory (crs-setup.conf(.example) and rules/)", required = true)
        String crs;

        @Parameter(names = "--tests", description = "Directory of go-ftw test files (the CRS release's tests/regression/tests)", required = true)
        String tests;

        @Parameter(names = "--overrides", description = "YAML file of tests that depend on the HTTP server (test_overrides: rule_id, test_ids, reason)")
        String overrides;

        @Parameter(names = "--min-pass-rate", description = "Exit 1 when the pass rate (percent, overrides counted as failed) is below this")
        double minPassRate;

        @Override
        public int run(CliContext ctx) throws Exception {
            // The report waits until the progress line is finished: both would share the terminal's last line.
            ByteArrayOutputStream report = new ByteArrayOutputStream();
            ConformanceRunner.Result r;
            try (Progress p = Progress.start(ctx, "waf conformance"); NodeLog log = NodeLog.install(ctx, p)) {
                r = ConformanceRunner.run(Path.of(crs), Path.of(tests), Optional.ofNullable(overrides).map(Path::of),
                        new PrintStream(report, true, StandardCharsets.UTF_8), p);
                p.done();
            }
            ctx.out.print(report.toString(StandardCharsets.UTF_8));
            return 100 * r.passRate() + 1e-9 < minPassRate ? 1 : 0;
        }
    }

    /**
     * The log of the node {@code waf conformance} starts, while it runs: warnings and errors one line
     * each on standard error, without stack traces. Not the warnings about the node's own setup (its
     * KEK, JWT secret and bootstrap admin with its password): the node and its state directory are
     * deleted when the run ends, so they concern nothing anyone keeps.
     */
    static final class NodeLog implements AutoCloseable {
        private static final java.util.regex.Pattern THROWABLE_CLASS =
                java.util.regex.Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)(?::\\s*|\\b)");

        private final ch.qos.logback.classic.Logger root;
        private final ch.qos.logback.classic.Level level;
        private final java.util.List<ch.qos.logback.core.Appender<ILoggingEvent>> saved = new java.util.ArrayList<>();
        private final AppenderBase<ILoggingEvent> appender;

        private NodeLog(CliContext ctx, Progress progress) {
            ch.qos.logback.classic.LoggerContext lc = (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
            root = lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            level = root.getLevel();
            root.iteratorForAppenders().forEachRemaining(saved::add);
            saved.forEach(root::detachAppender);
            root.setLevel(ch.qos.logback.classic.Level.WARN);
            appender = new AppenderBase<>() {
                @Override
                protected void append(ILoggingEvent e) {
                    if (!e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)
                            || e.getMarkerList() != null && e.getMarkerList().contains(io.tiyi.internal.LogMarkers.SETUP)) {
                        return;
                    }
                    String line = oneLine(e);
                    if (progress.active()) {
                        progress.note(line);
                    } else {
                        ctx.err.println(Table.escape(line));
                    }
                }
            };
            appender.setContext(lc);
            appender.start();
            root.addAppender(appender);
        }

        static NodeLog install(CliContext ctx, Progress progress) {
            return new NodeLog(ctx, progress);
        }

        /** {@code ERROR temporary node: <message>: <what the exception said>}, with no class names and no control characters. */
        static String oneLine(ILoggingEvent e) {
            StringBuilder sb = new StringBuilder(e.getFormattedMessage() == null ? "" : e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                String m = t.getMessage();
                if (m != null && !m.isBlank() && sb.indexOf(m) < 0) {
                    sb.append(": ").append(m);
                }
                if (t.getCause() == t) {
                    break;
                }
            }
            String text = THROWABLE_CLASS.matcher(sb).replaceAll("").replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
            String lvl = e.getLevel() == ch.qos.logback.classic.Level.WARN ? "WARNING" : e.getLevel().toString();
            return lvl + " temporary node: " + Table.escape(text);
        }

        @Override
        public void close() {
            root.detachAppender(appender);
            appender.stop();
            saved.forEach(root::addAppender);
            root.setLevel(level);
        }
    }

    @Parameters(commandDescription = "Show which rules a raw HTTP request would match on a site")
    static final class Test extends AccountCommands.Base {
        @Parameter(names = "--site", description = "Site name", required = true)
        String site;

        @Parameter(names = "--request-file", description = "File with a raw HTTP request: request line, headers, blank line, body", required = true)
        String file;

        @Override
        public int run(CliContext ctx) {
            JsonNode r = ctx.client().call(WafService.TEST, new WafService.TestRequest(site, ProxyCommands.read(file, "request")));
            if (ctx.json()) {
                ctx.printJson(r);
                return 0;
            }
            JsonNode i = r.get("interruption");
            ctx.out.println(Table.escape(r.get("interrupted").asBoolean()
                    ? "BLOCKED with " + i.get("status").asInt() + " by rule " + i.get("rule_id").asLong() + " (site mode " + r.get("mode").asText() + ")"
                    : "passed (site mode " + r.get("mode").asText() + ")"));
            Table t = new Table("RULE", "PHASE", "MESSAGE", "MATCHED");
            r.get("matched_rules").forEach(m -> t.row(m.get("id").asLong(), m.get("phase").asInt(), m.get("message").asText(),
                    m.get("variable").asText() + "=" + m.get("value").asText()));
            t.print(ctx.out);
            return 0;
        }
    }
}
