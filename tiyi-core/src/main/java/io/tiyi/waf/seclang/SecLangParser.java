package io.tiyi.waf.seclang;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * Reads SecLang text into {@link Directive}s: line continuations (a backslash at the end of a
 * line), {@code #} comments, double-quoted arguments (in which {@code \"} is a quote and every
 * other backslash is kept for the operator or action parser), and {@code Include} with globs,
 * resolved relative to the including file.
 */
public final class SecLangParser {
    private static final int MAX_INCLUDE_DEPTH = 16;

    private SecLangParser() {}

    /** Parses text; {@code name} labels it in error messages, {@code baseDir} resolves Includes (may be null). */
    public static List<Directive> parse(String text, String name, Path baseDir) {
        List<Directive> out = new ArrayList<>();
        parseInto(text, name, baseDir, out, 0);
        return out;
    }

    /** Parses a file and everything it includes. */
    public static List<Directive> parseFile(Path file) {
        List<Directive> out = new ArrayList<>();
        parseFileInto(file, out, 0);
        return out;
    }

    private static void parseFileInto(Path file, List<Directive> out, int depth) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new SecLangException("cannot read rule file " + file + ": " + e.getMessage());
        }
        parseInto(text, file.toString(), file.toAbsolutePath().getParent(), out, depth);
    }

    private static void parseInto(String text, String name, Path baseDir, List<Directive> out, int depth) {
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
            handle(logical.toString(), name, start, baseDir, out, depth);
            logical.setLength(0);
        }
        if (logical.length() > 0) {
            handle(logical.toString(), name, start, baseDir, out, depth);
        }
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(0, end);
    }

    private static void handle(String logical, String file, int line, Path baseDir, List<Directive> out, int depth) {
        List<String> words = split(logical, file + ":" + line);
        if (words.isEmpty()) {
            return;
        }
        String name = words.get(0);
        List<String> args = words.subList(1, words.size());
        if (name.equalsIgnoreCase("Include")) {
            if (args.size() != 1) {
                throw new SecLangException(file + ":" + line, "Include expects one path or glob, got " + args.size() + " arguments");
            }
            if (depth >= MAX_INCLUDE_DEPTH) {
                throw new SecLangException(file + ":" + line, "Include nested more than " + MAX_INCLUDE_DEPTH + " deep (a loop?)");
            }
            for (Path p : resolveGlob(args.get(0), baseDir, file + ":" + line)) {
                parseFileInto(p, out, depth + 1);
            }
            return;
        }
        out.add(new Directive(name, args, file, line));
    }

    static List<Path> resolveGlob(String pattern, Path baseDir, String where) {
        Path p;
        try {
            p = Path.of(pattern);
            if (!p.isAbsolute() && baseDir != null) {
                p = baseDir.resolve(pattern);
            }
        } catch (InvalidPathException e) {
            throw new SecLangException(where, "Include: invalid path " + abbreviate(pattern) + ": " + e.getReason());
        }
        String s = p.toString();
        if (s.indexOf('*') < 0 && s.indexOf('?') < 0 && s.indexOf('[') < 0) {
            if (!Files.isRegularFile(p)) {
                throw new SecLangException(where, "Include: file " + p + " does not exist");
            }
            return List.of(p);
        }
        // A bare glob ("Include *.conf" in text without a base directory) lists the working directory.
        Path dir = p.getParent() == null ? Path.of("") : p.getParent();
        PathMatcher m;
        try {
            m = FileSystems.getDefault().getPathMatcher("glob:" + p.getFileName());
        } catch (PatternSyntaxException e) {
            throw new SecLangException(where, "Include: invalid glob " + abbreviate(pattern) + ": " + e.getDescription());
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                if (Files.isRegularFile(f) && m.matches(f.getFileName())) {
                    out.add(f);
                }
            }
        } catch (IOException e) {
            throw new SecLangException(where, "Include: cannot list " + dir + ": " + e.getMessage());
        }
        out.sort(null);
        return out;
    }

    /** Splits a logical line into words; double-quoted words may contain spaces and escaped quotes. */
    static List<String> split(String s, String where) {
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
