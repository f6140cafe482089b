package io.tiyi.settings;

import io.tiyi.TiyiException;
import io.tiyi.proxy.RuntimeConfig;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The data plane's hardening limits, from the {@code proxy.limits.*}, {@code proxy.waf.*},
 * {@code waf.limits.*} and {@code waf.budget.*} settings. The limits travel in the runtime
 * configuration, so agents apply the control plane's settings with their next bundle.
 */
public final class LimitsSettings {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;

    private LimitsSettings() {}

    /** The settings' definitions, with {@link RuntimeConfig.Limits#defaults()} as their defaults. */
    static List<SettingDefinition> definitions() {
        RuntimeConfig.Limits d = RuntimeConfig.Limits.defaults();
        return List.of(
                SettingDefinition.integer("proxy.limits.max_request_line", d.maxRequestLine(), 256, MIB,
                        "Most bytes of a request line; longer is refused with 414 (a long target) or 400"),
                SettingDefinition.integer("proxy.limits.max_header_count", d.maxHeaderCount(), 1, 10_000,
                        "Most header fields of one request; more is refused with 431"),
                SettingDefinition.integer("proxy.limits.max_header_size", d.maxHeaderSize(), 256, MIB,
                        "Most bytes of one header field line; longer is refused with 431 (at most proxy.limits.max_headers_total)"),
                SettingDefinition.integer("proxy.limits.max_headers_total", d.maxHeadersTotal(), 256, MIB,
                        "Most bytes of all header field lines of one request; more is refused with 431"),
                SettingDefinition.duration("proxy.limits.header_timeout", millis(d.headerTimeoutMs()), "1s", "10m",
                        "Time from the first byte of a request to the end of its head; slower clients are disconnected"),
                SettingDefinition.duration("proxy.limits.idle_timeout", millis(d.idleTimeoutMs()), "1s", "1h",
                        "How long a keep-alive connection may wait for its next request"),
                SettingDefinition.integer("proxy.limits.min_body_rate", d.minBodyRate(), 0, 1_000_000_000,
                        "Bytes per second a request body must average over each proxy.limits.body_rate_window (0: no minimum)"),
                SettingDefinition.duration("proxy.limits.body_rate_window", millis(d.bodyRateWindowMs()), "1s", "10m",
                        "Window over which proxy.limits.min_body_rate is measured"),
                SettingDefinition.integer("proxy.limits.max_connections_per_ip", d.maxConnectionsPerIp(), 0, 1_000_000,
                        "Most open connections of one client address, resolved through the trust profile (0: no cap)"),
                SettingDefinition.integer("proxy.waf.workers", d.wafWorkers(), 0, 1024,
                        "Threads that run WAF phases 1 and 2 (0: two per core, at least 4)"),
                SettingDefinition.integer("proxy.waf.queue", d.wafQueue(), 1, 1_000_000,
                        "Requests that may wait for a WAF thread; past it new requests are refused with 503"),
                SettingDefinition.integer("waf.limits.max_args", d.maxArguments(), 1, 1_000_000,
                        "Most arguments (query and body) of one request; more is a body error"),
                SettingDefinition.integer("waf.limits.max_arg_bytes", d.maxArgumentBytes(), 1, io.tiyi.waf.WafPolicy.MAX_REQUEST_BODY_LIMIT,
                        "Most bytes of argument names and values in a body without files; more is a body error"),
                SettingDefinition.integer("waf.limits.json_depth", d.maxJsonDepth(), 1, 10_000,
                        "Deepest JSON nesting the WAF parses; deeper is a body error"),
                SettingDefinition.duration("waf.budget.time", millis(d.wafBudgetMs()), "1ms", "10m",
                        "Most wall time the WAF may spend on phases 1 and 2 of one request"),
                SettingDefinition.integer("waf.budget.regex_steps", d.regexSteps(), 1000, 1_000_000_000_000L,
                        "Most regular-expression steps the WAF may take for one request"),
                SettingDefinition.oneOf("waf.budget.action", d.blockOverBudget() ? "block" : "pass", List.of("block", "pass"),
                        "A request over its WAF budget: block refuses it with 503 in block mode, pass lets it through uninspected"));
    }

    /**
     * The limits the settings say.
     *
     * @param value the value in force of a key
     */
    public static RuntimeConfig.Limits limits(UnaryOperator<String> value) {
        return new RuntimeConfig.Limits(integer(value, "proxy.limits.max_request_line"), integer(value, "proxy.limits.max_header_count"),
                integer(value, "proxy.limits.max_header_size"), integer(value, "proxy.limits.max_headers_total"),
                ms(value, "proxy.limits.header_timeout"), ms(value, "proxy.limits.idle_timeout"),
                Long.parseLong(value.apply("proxy.limits.min_body_rate")), ms(value, "proxy.limits.body_rate_window"),
                integer(value, "proxy.limits.max_connections_per_ip"), integer(value, "proxy.waf.workers"), integer(value, "proxy.waf.queue"),
                integer(value, "waf.limits.max_args"), Long.parseLong(value.apply("waf.limits.max_arg_bytes")),
                integer(value, "waf.limits.json_depth"), ms(value, "waf.budget.time"), Long.parseLong(value.apply("waf.budget.regex_steps")),
                "block".equals(value.apply("waf.budget.action")));
    }

    /** The limits of the settings in force. */
    public static RuntimeConfig.Limits limits(Settings settings) {
        java.util.Map<String, String> values = new java.util.HashMap<>();
        settings.list().forEach(s -> values.put(s.key(), s.value()));
        return limits(values::get);
    }

    /**
     * Refuses a value that would contradict another setting in force: one header field line larger
     * than all of them together could never be reached, and would tell whoever reads the settings
     * the wrong thing.
     *
     * @param key the key being set
     * @param value its canonical new value
     * @param current the value in force of any other key
     * @throws TiyiException naming both keys
     */
    static void checkConsistent(String key, String value, UnaryOperator<String> current) {
        UnaryOperator<String> after = k -> k.equals(key) ? value : current.apply(k);
        if (key.equals("proxy.limits.max_header_size") || key.equals("proxy.limits.max_headers_total")) {
            long one = Long.parseLong(after.apply("proxy.limits.max_header_size"));
            long all = Long.parseLong(after.apply("proxy.limits.max_headers_total"));
            if (one > all) {
                throw TiyiException.invalid("invalid value '" + value + "' for setting " + key + ": proxy.limits.max_header_size (" + one
                        + ") must not exceed proxy.limits.max_headers_total (" + all + "); change the other one first");
            }
        }
    }

    private static int integer(UnaryOperator<String> value, String key) {
        return Integer.parseInt(value.apply(key));
    }

    private static long ms(UnaryOperator<String> value, String key) {
        return SettingDefinition.parseDuration(value.apply(key)).toMillis();
    }

    /** A default in milliseconds as a setting writes it: whole seconds as such, the rest in ms. */
    private static String millis(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
