package io.tiyi.waf.seclang;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SecLang text into {@link Directive}s: line continuations (a backslash at the end of a
 * line), {@code #} comments, double-quoted arguments (in which {@code \"} is a quote and every
 * other backslash is kept for the operator or action parser), and {@code Include} with globs,
 * resolved by the text's {@link RuleFiles}: relative to the including file, and confined to the
 * allowed directories when the text is not trusted.
 */
public final class SecLangParser {
    private static final int MAX_INCLUDE_DEPTH = 16;

    private SecLangParser() {}

    /** Parses trusted text; {@code name} labels it in error messages, {@code baseDir} resolves Includes (may be null). */
    public static List<Directive> parse(String text, String name, Path baseDir) {
        return parse(text, name, RuleFiles.anywhere(baseDir));
    }

    /** Parses text whose Includes and data files {@code files} resolves; {@code name} labels it in error messages. */
    public static List<Directive> parse(String text, String name, RuleFiles files) {
        List<Directive> out = new ArrayList<>();
        parseInto(text, name, files, out, 0);
        return out;
    }

    /** Parses a trusted file and everything it includes. */
    public static List<Directive> parseFile(Path file) {
        List<Directive> out = new ArrayList<>();
        parseFileInto(file, null, RuleFiles.anywhere(null), out, 0);
        return out;
    }

    /** {@code where}: the Include that names the file, or null for a file given directly. */
    private static void parseFileInto(Path file, String where, RuleFiles files, List<Directive> out, int depth) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            if (files.restricted()) {
                throw SecLangException.withoutText(where, "Include: cannot read " + files.label(file));
            }
            String m = "cannot read rule file " + file + ": " + e.getMessage();
            throw where == null ? new SecLangException(m) : new SecLangException(where, "Include: " + m);
        }
        parseInto(text, files.label(file), files.in(file), out, depth);
    }

    private static void parseInto(String text, String name, RuleFiles files, List<Directive> out, int depth) {
        String[] lines = text.split("\r?\n", -1);
        StringBuilder logical = new StringBuilder();
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (logical.length() == 0) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                start = i + 1;
            }
            String stripped = stripTrailing(line);
            if (stripped.endsWith("\\")) {
                logical.append(stripped, 0, stripped.length() - 1);
                continue;
            }
            logical.append(line);
            handle(logical.toString(), name, start, files, out, depth);
            logical.setLength(0);
        }
        if (logical.length() > 0) {
            handle(logical.toString(), name, start, files, out, depth);
        }
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(0, end);
    }

    private static void handle(String logical, String file, int line, RuleFiles files, List<Directive> out, int depth) {
        String where = file + ":" + line;
        List<String> words = split(logical, where, files.quotesText());
        if (words.isEmpty()) {
            return;
        }
        String name = words.get(0);
        List<String> args = words.subList(1, words.size());
        if (name.equalsIgnoreCase("Include")) {
            if (args.size() != 1) {
                throw new SecLangException(where, "Include expects one path or glob, got " + args.size() + " arguments");
            }
            if (depth >= MAX_INCLUDE_DEPTH) {
                throw new SecLangException(where, "Include nested more than " + MAX_INCLUDE_DEPTH + " deep (a loop?)");
            }
            for (Path p : files.glob(args.get(0), "Include", where)) {
                parseFileInto(p, where, files, out, depth + 1);
            }
            return;
        }
        out.add(new Directive(name, args, file, line, files));
    }

    /** Splits a logical line into words; double-quoted words may contain spaces and escaped quotes. */
    static List<String> split(String s, String where) {
        return split(s, where, true);
    }

    /** {@code quote} false: the text is not repeated in errors (it is a file the rule author may not read). */
    static List<String> split(String s, String where, boolean quote) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            StringBuilder w = new StringBuilder();
            if (c == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = s.charAt(i);
                    if (d == '\\' && i + 1 < n && s.charAt(i + 1) == '"') {
                        w.append('"');
                        i += 2;
                        continue;
                    }
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    w.append(d);
                    i++;
                }
                if (!closed) {
                    if (!quote) {
                        throw SecLangException.withoutText(where, "unterminated double quote");
                    }
                    throw new SecLangException(where, "unterminated double quote in: " + abbreviate(s));
                }
            } else {
                while (i < n && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
                    w.append(s.charAt(i));
                    i++;
                }
            }
            out.add(w.toString());
        }
        return out;
    }

    static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
