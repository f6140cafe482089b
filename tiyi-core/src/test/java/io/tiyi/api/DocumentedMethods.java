package io.tiyi.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The "Methods" table of {@code docs/api.md} read as data: every RPC method it names, the least
 * caller it documents and whether it says the method changes state.
 *
 * <p>A row's first cell lists one or more methods, separated by commas, each a backticked name
 * followed by its request and response shapes and prose in parentheses:
 * {@code `SitesService/Delete` `{name}`, `AddRoute`, `RemoveRoute` `{site, ...}`}. A name without
 * a service inherits the one before it in the row. Only the first backticked name of each
 * top-level entry is a method: backticked words inside parentheses, braces or brackets are field
 * names or prose ({@code counted by `Stats`}), so commas and names are read at depth zero only.
 * Anything the reader cannot place is refused with the line number, never skipped.
 */
final class DocumentedMethods {
    private static final Pattern SERVICE = Pattern.compile("[A-Z][A-Za-z]*Service");
    private static final Pattern METHOD = Pattern.compile("[A-Z][A-Za-z]*");

    /** The least caller a method admits, as the table's "least role" column names it. */
    enum Least {
        /** {@code public} (also {@code public: the enrollment token}): no bearer token. */
        PUBLIC,
        VIEWER,
        OPERATOR,
        ADMIN,
        /** {@code agent credential}: any enrolled agent, no user. */
        AGENT,
        /** {@code agent credential of a secondary}: an agent enrolled with the {@code secondary} tag. */
        SECONDARY;

        static Least parse(String cell, int line) {
            String c = cell.trim();
            if (c.equals("public") || c.startsWith("public:")) {
                return PUBLIC;
            }
            return switch (c) {
                case "viewer" -> VIEWER;
                case "operator" -> OPERATOR;
                case "admin" -> ADMIN;
                case "agent credential" -> AGENT;
                case "agent credential of a secondary" -> SECONDARY;
                default -> throw new IllegalArgumentException("docs/api.md line " + line + ": unknown least role '" + c
                        + "' (public, viewer, operator, admin, agent credential, agent credential of a secondary)");
            };
        }
    }

    /**
     * One documented method.
     *
     * @param service {@code SitesService}
     * @param method {@code Delete}
     * @param least the least caller the table names
     * @param changesState whether the "changes state" column starts with {@code yes}
     * @param line the table row's line in the file, 1-based
     */
    record Entry(String service, String method, Least least, boolean changesState, int line) {
        /** {@code SitesService/Delete}. */
        String name() {
            return service + "/" + method;
        }
    }

    private DocumentedMethods() {}

    /** Every method of the table in {@code file}, in the table's order. */
    static List<Entry> read(Path file) {
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Every method of the table under the {@code ## Methods} heading of {@code lines}. */
    static List<Entry> parse(List<String> lines) {
        int at = lines.indexOf("## Methods");
        if (at < 0) {
            throw new IllegalArgumentException("docs/api.md has no '## Methods' heading");
        }
        int header = at + 1;
        while (header < lines.size() && !lines.get(header).startsWith("|")) {
            header++;
        }
        if (header + 1 >= lines.size() || !cells(lines.get(header), header + 1).equals(List.of("method", "least role", "changes state"))) {
            throw new IllegalArgumentException("docs/api.md line " + (header + 1) + ": the Methods table must have the columns method, least role,"
                    + " changes state");
        }
        List<Entry> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            int line = i + 1;
            List<String> row = cells(lines.get(i), line);
            if (row.size() != 3) {
                throw new IllegalArgumentException("docs/api.md line " + line + ": a Methods row has 3 cells, this one " + row.size());
            }
            Least least = Least.parse(row.get(1), line);
            boolean changes = changesState(row.get(2), line);
            String service = null;
            for (String entry : entries(row.get(0), line)) {
                String name = leadingName(entry, line);
                String method = name;
                int slash = name.indexOf('/');
                if (slash >= 0) {
                    service = name.substring(0, slash);
                    method = name.substring(slash + 1);
                    if (!SERVICE.matcher(service).matches()) {
                        throw new IllegalArgumentException("docs/api.md line " + line + ": '" + service + "' is not a service name");
                    }
                } else if (service == null) {
                    throw new IllegalArgumentException("docs/api.md line " + line + ": '" + name + "' names no service; write Service/" + name);
                }
                if (!METHOD.matcher(method).matches()) {
                    throw new IllegalArgumentException("docs/api.md line " + line + ": '" + method + "' is not a method name");
                }
                Entry e = new Entry(service, method, least, changes, line);
                if (!seen.add(e.name())) {
                    throw new IllegalArgumentException("docs/api.md line " + line + ": " + e.name() + " is documented twice");
                }
                out.add(e);
            }
        }
        return out;
    }

    private static boolean changesState(String cell, int line) {
        String c = cell.trim();
        if (c.equals("yes") || c.startsWith("yes ")) {
            return true;
        }
        if (c.equals("no") || c.startsWith("no ")) {
            return false;
        }
        throw new IllegalArgumentException("docs/api.md line " + line + ": 'changes state' must start with yes or no, got '" + c + "'");
    }

    /** The cells of a table row; a {@code |} inside backticks is text. */
    static List<String> cells(String row, int line) {
        String r = row.trim();
        if (!r.startsWith("|") || !r.endsWith("|")) {
            throw new IllegalArgumentException("docs/api.md line " + line + ": a table row starts and ends with '|'");
        }
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean code = false;
        for (int i = 1; i < r.length() - 1; i++) {
            char c = r.charAt(i);
            if (c == '`') {
                code = !code;
            }
            if (c == '|' && !code) {
                out.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        out.add(cell.toString().trim());
        return out;
    }

    /** The top-level, comma-separated entries of a method cell. */
    static List<String> entries(String cell, int line) {
        List<String> out = new ArrayList<>();
        StringBuilder entry = new StringBuilder();
        int depth = 0;
        boolean code = false;
        for (int i = 0; i < cell.length(); i++) {
            char c = cell.charAt(i);
            if (c == '`') {
                code = !code;
            } else if (!code && (c == '(' || c == '[' || c == '{')) {
                depth++;
            } else if (!code && (c == ')' || c == ']' || c == '}')) {
                depth--;
                if (depth < 0) {
                    throw new IllegalArgumentException("docs/api.md line " + line + ": '" + c + "' closes nothing at column " + (i + 1)
                            + " of the method cell");
                }
            }
            if (c == ',' && depth == 0 && !code) {
                out.add(entry.toString().trim());
                entry.setLength(0);
            } else {
                entry.append(c);
            }
        }
        if (depth != 0 || code) {
            throw new IllegalArgumentException("docs/api.md line " + line + ": the method cell leaves " + (code ? "a backtick" : "a bracket")
                    + " open, so its methods cannot be told apart");
        }
        out.add(entry.toString().trim());
        return out;
    }

    private static String leadingName(String entry, int line) {
        int end = entry.indexOf('`', 1);
        if (!entry.startsWith("`") || end < 0) {
            throw new IllegalArgumentException("docs/api.md line " + line + ": each method starts with its backticked name; got '" + entry + "'");
        }
        return entry.substring(1, end);
    }
}
