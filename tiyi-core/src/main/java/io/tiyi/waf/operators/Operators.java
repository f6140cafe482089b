package io.tiyi.waf.operators;

import io.tiyi.waf.seclang.RuleFiles;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Every operator, by SecLang name (case-insensitive): the one place they are registered. */
public final class Operators {
    /** Builds an operator from its argument; {@code files} resolves data files, {@code where} places errors. */
    @FunctionalInterface
    interface Factory {
        Operator create(String argument, RuleFiles files, String where);
    }

    private static final Map<String, Factory> ALL = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    static {
        ALL.put("rx", (a, f, w) -> new Rx(a));
        ALL.put("pm", (a, f, w) -> new Pm(a));
        ALL.put("pmFromFile", PmFromFile::new);
        ALL.put("pmf", PmFromFile::new);
        ALL.put("ipMatchFromFile", IpMatchFromFile::new);
        ALL.put("ipMatchF", IpMatchFromFile::new);
        ALL.put("streq", (a, f, w) -> new Streq(a));
        ALL.put("contains", (a, f, w) -> new Contains(a));
        ALL.put("containsWord", (a, f, w) -> new ContainsWord(a));
        ALL.put("beginsWith", (a, f, w) -> new BeginsWith(a));
        ALL.put("endsWith", (a, f, w) -> new EndsWith(a));
        ALL.put("within", (a, f, w) -> new Within(a));
        ALL.put("strmatch", (a, f, w) -> new StrMatch(a));
        ALL.put("eq", (a, f, w) -> new Eq(a));
        ALL.put("ge", (a, f, w) -> new Ge(a));
        ALL.put("gt", (a, f, w) -> new Gt(a));
        ALL.put("le", (a, f, w) -> new Le(a));
        ALL.put("lt", (a, f, w) -> new Lt(a));
        ALL.put("validateByteRange", (a, f, w) -> new ValidateByteRange(a));
        ALL.put("validateUrlEncoding", (a, f, w) -> new ValidateUrlEncoding());
        ALL.put("validateUtf8Encoding", (a, f, w) -> new ValidateUtf8Encoding());
        ALL.put("ipMatch", (a, f, w) -> new IpMatch(a));
        ALL.put("detectSQLi", (a, f, w) -> new DetectSqli());
        ALL.put("detectXSS", (a, f, w) -> new DetectXss());
        ALL.put("unconditionalMatch", (a, f, w) -> new UnconditionalMatch());
        ALL.put("noMatch", (a, f, w) -> new NoMatch());
    }

    private Operators() {}

    /**
     * Creates an operator.
     *
     * @throws OperatorException for an unknown name or a bad argument
     */
    public static Operator create(String name, String argument, Path baseDir) {
        return create(name, argument, RuleFiles.anywhere(baseDir), "<operator>", true);
    }

    /** Creates an operator reading data files anywhere; {@code capturing} false lets {@code @rx} skip recording groups no rule reads. */
    public static Operator create(String name, String argument, Path baseDir, boolean capturing) {
        return create(name, argument, RuleFiles.anywhere(baseDir), "<operator>", capturing);
    }

    /**
     * Creates an operator; {@code files} resolves data files ({@code @pmFromFile}, {@code @ipMatchFromFile}),
     * {@code where} places their errors, and {@code capturing} false lets {@code @rx} skip
     * recording groups no rule reads.
     *
     * @throws OperatorException for an unknown name or a bad argument
     * @throws io.tiyi.waf.seclang.SecLangException for a data file that cannot be used
     */
    public static Operator create(String name, String argument, RuleFiles files, String where, boolean capturing) {
        if (!capturing && name.equalsIgnoreCase("rx")) {
            return new Rx(argument, false);
        }
        Factory f = ALL.get(name);
        if (f == null) {
            throw new OperatorException("unknown operator @" + name + " (known: " + String.join(", ", ALL.keySet()) + ")");
        }
        return f.create(argument, files, where);
    }

    public static Set<String> names() {
        return ALL.keySet();
    }

    static String normalise(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
