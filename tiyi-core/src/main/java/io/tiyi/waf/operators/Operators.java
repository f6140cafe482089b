package io.tiyi.waf.operators;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Every operator, by SecLang name (case-insensitive): the one place they are registered. */
public final class Operators {
    /** Builds an operator from its argument. */
    @FunctionalInterface
    interface Factory {
        Operator create(String argument, Path baseDir);
    }

    private static final Map<String, Factory> ALL = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    static {
        ALL.put("rx", (a, d) -> new Rx(a));
        ALL.put("pm", (a, d) -> new Pm(a));
        ALL.put("pmFromFile", PmFromFile::new);
        ALL.put("pmf", PmFromFile::new);
        ALL.put("streq", (a, d) -> new Streq(a));
        ALL.put("contains", (a, d) -> new Contains(a));
        ALL.put("containsWord", (a, d) -> new ContainsWord(a));
        ALL.put("beginsWith", (a, d) -> new BeginsWith(a));
        ALL.put("endsWith", (a, d) -> new EndsWith(a));
        ALL.put("within", (a, d) -> new Within(a));
        ALL.put("strmatch", (a, d) -> new StrMatch(a));
        ALL.put("eq", (a, d) -> new Eq(a));
        ALL.put("ge", (a, d) -> new Ge(a));
        ALL.put("gt", (a, d) -> new Gt(a));
        ALL.put("le", (a, d) -> new Le(a));
        ALL.put("lt", (a, d) -> new Lt(a));
        ALL.put("validateByteRange", (a, d) -> new ValidateByteRange(a));
        ALL.put("validateUrlEncoding", (a, d) -> new ValidateUrlEncoding());
        ALL.put("validateUtf8Encoding", (a, d) -> new ValidateUtf8Encoding());
        ALL.put("ipMatch", (a, d) -> new IpMatch(a));
        ALL.put("detectSQLi", (a, d) -> new DetectSqli());
        ALL.put("detectXSS", (a, d) -> new DetectXss());
        ALL.put("unconditionalMatch", (a, d) -> new UnconditionalMatch());
        ALL.put("noMatch", (a, d) -> new NoMatch());
    }

    private Operators() {}

    /**
     * Creates an operator.
     *
     * @throws OperatorException for an unknown name or a bad argument
     */
    public static Operator create(String name, String argument, Path baseDir) {
        return create(name, argument, baseDir, true);
    }

    /** Creates an operator; {@code capturing} false lets {@code @rx} skip recording groups no rule reads. */
    public static Operator create(String name, String argument, Path baseDir, boolean capturing) {
        if (!capturing && name.equalsIgnoreCase("rx")) {
            return new Rx(argument, false);
        }
        Factory f = ALL.get(name);
        if (f == null) {
            throw new OperatorException("unknown operator @" + name + " (known: " + String.join(", ", ALL.keySet()) + ")");
        }
        return f.create(argument, baseDir);
    }

    public static Set<String> names() {
        return ALL.keySet();
    }

    static String normalise(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
