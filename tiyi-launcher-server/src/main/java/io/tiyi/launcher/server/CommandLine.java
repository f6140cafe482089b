package io.tiyi.launcher.server;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterDescription;
import com.beust.jcommander.ParameterException;
import io.tiyi.config.ConfigException;
import io.tiyi.config.HostPort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the command line of {@code tiyi} and its daemon roles with JCommander, and says what is
 * wrong with it the way a person would: {@code unknown option --bogus for 'tiyi backup create'; see --help}.
 *
 * <p>JCommander's own messages name its internals ("main parameter", "arg class") and take an
 * unknown option of a command that has positional arguments for one of them, so the arguments
 * are checked against the commands' options first, and JCommander only parses what passed.
 */
public final class CommandLine {
    /** The command line cannot run; the message is one sentence that ends with {@code ; see --help}. */
    public static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String program;

        UsageError(String problem, String program) {
            super(problem + " for '" + program + "'; see --help");
            this.program = program;
        }

        /** The command it is about, for example {@code tiyi backup create}. */
        public String program() {
            return program;
        }
    }

    private static final Pattern CONVERT = Pattern.compile("\"(.+)\": couldn't convert \"(.*)\" to (.+)");

    private CommandLine() {}

    /**
     * Checks {@code args} against the options and commands {@code jc} knows, then parses them into
     * its objects.
     *
     * @param program what the root command is called, for example {@code tiyi} or {@code tiyi server}
     * @throws UsageError when the command line is wrong
     */
    public static void parse(JCommander jc, String program, String... args) {
        Checked c = check(jc, program, args);
        try {
            if (c.help()) {
                // JCommander skips the required options only on the level where --help is; help on a group covers its commands too.
                jc.parseWithoutValidation(args);
            } else {
                jc.parse(args);
            }
        } catch (ParameterException e) {
            // The checks cover what these commands can get wrong; this is the last resort.
            throw new UsageError(plain(e.getMessage()), c.program());
        }
    }

    /**
     * Parses a daemon's flags and, unless help was asked for, checks its listener addresses ({@code addr}
     * is read after parsing has set it).
     *
     * @return false after printing the one-line usage error to {@code err}
     */
    public static boolean parseDaemon(JCommander jc, String program, String[] args, java.util.function.Supplier<String> addr, NodeFlags node,
            java.io.PrintStream err) {
        try {
            parse(jc, program, args);
            if (!node.help()) {
                requireHostPort("--addr", addr.get(), program);
                node.requireAddresses(program);
            }
            return true;
        } catch (UsageError e) {
            err.println("ERROR " + e.getMessage());
            return false;
        }
    }

    /**
     * Checks a {@code host:port} option after parsing.
     *
     * @throws UsageError when {@code value} is set and is not a {@code host:port}
     */
    public static void requireHostPort(String option, String value, String program) {
        if (value == null) {
            return;
        }
        try {
            HostPort.parse(value, option);
        } catch (ConfigException e) {
            throw new UsageError(option + " takes host:port, such as 127.0.0.1:8080 or [::1]:8080 with a port from 0 to 65535, not '"
                    + value + "',", program);
        }
    }

    /** What {@link #check} found: the command the arguments end in, and whether help was asked for. */
    private record Checked(String program, boolean help) {}

    /** Walks the arguments as JCommander will. */
    private static Checked check(JCommander jc, String program, String[] args) {
        String at = program;
        JCommander level = jc;
        Map<String, ParameterDescription> options = options(level);
        Set<ParameterDescription> given = new HashSet<>();
        boolean help = false;
        boolean positional = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            ParameterDescription pd = positional ? null : options.get(a);
            if (pd != null) {
                if (given.contains(pd) && !List.class.isAssignableFrom(pd.getParameterized().getType())) {
                    throw new UsageError(a + " is given twice", at);
                }
                given.add(pd);
                if (pd.isHelp()) {
                    help = true;
                }
                if (takesNoValue(pd)) {
                    continue;
                }
                if (i + 1 >= args.length || options.containsKey(args[i + 1])) {
                    throw new UsageError(a + " needs a value", at);
                }
                checkValue(a, args[++i], pd.getParameterized().getType(), at);
                continue;
            }
            if (!positional && a.equals("--")) {
                positional = true;
                continue;
            }
            if (!positional && a.startsWith("-") && a.length() > 1) {
                int eq = a.indexOf('=');
                if (eq > 0 && options.containsKey(a.substring(0, eq))) {
                    throw new UsageError("unknown option " + a + " (the value goes after a space: " + a.substring(0, eq) + " "
                            + a.substring(eq + 1) + ")", at);
                }
                throw new UsageError("unknown option " + a, at);
            }
            Map<String, JCommander> commands = level.getCommands();
            if (!commands.isEmpty()) {
                JCommander next = commands.get(a);
                if (next == null) {
                    throw new UsageError("unknown command '" + a + "'", at);
                }
                requireGiven(level, given, help, at);
                level = next;
                at = at + " " + a;
                options = options(level);
                given = new HashSet<>();
                continue;
            }
            if (level.getMainParameterValue() == null) {
                throw new UsageError("unexpected argument '" + a + "'", at);
            }
        }
        requireGiven(level, given, help, at);
        return new Checked(at, help);
    }

    private static Map<String, ParameterDescription> options(JCommander jc) {
        if (jc.getDescriptions() == null) {
            jc.createDescriptions();
        }
        Map<String, ParameterDescription> m = new HashMap<>();
        for (ParameterDescription pd : jc.getParameters()) {
            for (String n : pd.getParameter().names()) {
                m.put(n, pd);
            }
        }
        return m;
    }

    private static boolean takesNoValue(ParameterDescription pd) {
        Class<?> t = pd.getParameterized().getType();
        return pd.getParameter().arity() <= 0 && (t == boolean.class || t == Boolean.class);
    }

    private static void checkValue(String option, String value, Class<?> type, String at) {
        if ((type == boolean.class || type == Boolean.class) && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new UsageError(option + " takes true or false, not '" + value + "',", at);
        }
        try {
            if (type == int.class || type == Integer.class) {
                Integer.parseInt(value);
            } else if (type == long.class || type == Long.class) {
                Long.parseLong(value);
            } else if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
                if (!Double.isFinite(Double.parseDouble(value))) {
                    throw new NumberFormatException();
                }
            }
        } catch (NumberFormatException e) {
            boolean whole = type != double.class && type != Double.class && type != float.class && type != Float.class;
            String range = whole && value.matches("[+-]?\\d+") ? " from " + (type == int.class || type == Integer.class
                    ? Integer.MIN_VALUE + " to " + Integer.MAX_VALUE : Long.MIN_VALUE + " to " + Long.MAX_VALUE) : "";
            throw new UsageError(option + " takes " + (whole ? "a whole number" : "a number") + range + ", not '" + value + "',", at);
        }
    }

    private static void requireGiven(JCommander jc, Set<ParameterDescription> given, boolean help, String at) {
        if (help) {
            return;
        }
        List<String> missing = new ArrayList<>();
        for (ParameterDescription pd : jc.getParameters()) {
            if (pd.getParameter().required() && !given.contains(pd)) {
                missing.add(pd.getLongestName());
            }
        }
        if (missing.size() == 1) {
            throw new UsageError("the option " + missing.get(0) + " is required", at);
        }
        if (!missing.isEmpty()) {
            missing.sort(null);
            String last = missing.remove(missing.size() - 1);
            throw new UsageError("the options " + String.join(", ", missing) + " and " + last + " are required", at);
        }
    }

    /** JCommander's message as a sentence, for what the checks did not foresee. */
    private static String plain(String message) {
        String m = message == null ? "cannot parse the arguments" : message.strip();
        Matcher c = CONVERT.matcher(m);
        if (c.matches()) {
            return c.group(1) + " takes " + c.group(3) + ", not '" + c.group(2) + "',";
        }
        if (m.endsWith(".")) {
            m = m.substring(0, m.length() - 1);
        }
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
}
