package io.tiyi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Events of the node's logs as tables, one per event type with the columns that type carries:
 * a security event is read for who sent what, what the WAF did and why; an access event for
 * where the request went and how long it took.
 */
final class EventTables {
    /**
     * One column.
     *
     * @param header its heading
     * @param limit the widest a cell may be, or 0 for no limit
     * @param cut where a longer cell is shortened
     * @param hint the width the column takes when rows are printed as they come ({@code tiyi events tail})
     * @param value the cell of an event
     */
    private record Col(String header, int limit, Table.Cut cut, int hint, Function<JsonNode, Object> value) {
        static Col of(String header, int hint, Function<JsonNode, Object> value) {
            return new Col(header, 0, Table.Cut.END, hint, value);
        }

        static Col cut(String header, int limit, Table.Cut cut, Function<JsonNode, Object> value) {
            return new Col(header, limit, cut, 0, value);
        }
    }

    private static final int MESSAGE = 72;

    private EventTables() {}

    private static Col time() {
        return Col.of("TIME", 19, e -> Table.localTime(e.path("ts").asLong()));
    }

    /** A text field, at most {@code limit} wide, {@code hint} wide when streamed (what most values fit in). */
    private static Col text(String header, String field, int limit, Table.Cut cut, int hint) {
        return new Col(header, limit, cut, hint, e -> e.path(field).asText(""));
    }

    private static Col number(String header, String field) {
        return Col.of(header, header.length(), e -> e.path(field).isMissingNode() || e.path(field).isNull() ? "" : e.path(field).asText());
    }

    private static List<Col> columns(String type, List<JsonNode> events) {
        List<Col> c = new ArrayList<>();
        switch (type) {
            case "security" -> {
                c.add(time());
                c.add(text("SITE", "site", 24, Table.Cut.END, 16));
                // Events an agent shipped to this control plane carry the agent that served the request.
                if (events.stream().anyMatch(e -> e.hasNonNull("agent"))) {
                    c.add(text("AGENT", "agent", 20, Table.Cut.END, 16));
                }
                c.add(text("CLIENT", "client_ip", 39, Table.Cut.END, 15));
                c.add(text("METHOD", "method", 8, Table.Cut.END, 6));
                c.add(text("PATH", "path", 48, Table.Cut.MIDDLE, 32));
                c.add(number("STATUS", "status"));
                c.add(text("ACTION", "action", 10, Table.Cut.END, 8));
                c.add(new Col("RULES", 30, Table.Cut.END, 20, e -> ProxyCommands.join(e.path("rule_ids"))));
                c.add(number("SCORE", "anomaly_score"));
                c.add(text("REQUEST ID", "request_id", 36, Table.Cut.MIDDLE, 16));
                c.add(Col.of("MESSAGE", 0, EventTables::message));
            }
            case "access" -> {
                c.add(time());
                c.add(text("SITE", "site", 24, Table.Cut.END, 16));
                c.add(text("CLIENT", "client_ip", 39, Table.Cut.END, 15));
                c.add(text("METHOD", "method", 8, Table.Cut.END, 6));
                c.add(text("HOST", "host", 32, Table.Cut.END, 20));
                c.add(text("PATH", "path", 48, Table.Cut.MIDDLE, 32));
                c.add(number("STATUS", "status"));
                c.add(number("BYTES", "bytes"));
                c.add(number("MS", "total_ms"));
                c.add(text("UPSTREAM", "upstream", 32, Table.Cut.END, 21));
                c.add(text("REQUEST ID", "request_id", 36, Table.Cut.MIDDLE, 16));
            }
            case "error" -> {
                c.add(time());
                c.add(text("SITE", "site", 24, Table.Cut.END, 16));
                c.add(text("CLIENT", "client_ip", 39, Table.Cut.END, 15));
                c.add(text("METHOD", "method", 8, Table.Cut.END, 6));
                c.add(text("HOST", "host", 32, Table.Cut.END, 20));
                c.add(text("PATH", "path", 48, Table.Cut.MIDDLE, 32));
                c.add(number("STATUS", "status"));
                c.add(text("REQUEST ID", "request_id", 36, Table.Cut.MIDDLE, 16));
                c.add(text("REASON", "reason", MESSAGE, Table.Cut.END, 0));
            }
            case "audit" -> {
                c.add(time());
                c.add(number("SEQ", "seq"));
                c.add(text("ACTOR", "actor", 24, Table.Cut.END, 12));
                c.add(text("ACTION", "action", 32, Table.Cut.END, 16));
                c.add(text("TARGET", "target", 40, Table.Cut.END, 20));
                c.add(Col.cut("DETAILS", MESSAGE, Table.Cut.END, e -> e.path("details").isObject() && !e.path("details").isEmpty()
                        ? e.path("details").toString() : ""));
            }
            case "alert" -> {
                c.add(time());
                c.add(number("FIRING", "firing_id"));
                c.add(text("RULE", "rule", 32, Table.Cut.END, 24));
                c.add(number("COUNT", "count"));
                c.add(text("TITLE", "title", 40, Table.Cut.END, 24));
                c.add(text("DETAIL", "detail", MESSAGE, Table.Cut.END, 0));
            }
            default -> {
                c.add(time());
                c.add(text("TYPE", "type", 16, Table.Cut.END, 8));
                c.add(Col.cut("EVENT", 120, Table.Cut.END, JsonNode::toString));
            }
        }
        return c;
    }

    /** The first rule's message (the attack it saw; the last ones are usually the anomaly-score verdict), and how many more. */
    private static String message(JsonNode e) {
        JsonNode m = e.path("messages");
        if (!m.isArray() || m.isEmpty()) {
            return "";
        }
        String first = Table.shorten(Table.escape(m.get(0).asText("")), MESSAGE, Table.Cut.END);
        return m.size() > 1 ? first + " (+" + (m.size() - 1) + " more)" : first;
    }

    private static Table table(List<Col> cols, List<JsonNode> events, boolean streaming) {
        Table t = new Table(cols.stream().map(Col::header).toArray(String[]::new));
        for (int i = 0; i < cols.size(); i++) {
            Col c = cols.get(i);
            if (c.limit() > 0) {
                t.limit(i, c.limit(), c.cut());
            }
            if (streaming) {
                t.minWidth(i, c.hint());
            }
        }
        for (JsonNode e : events) {
            t.row(cols.stream().map(c -> c.value().apply(e)).toArray());
        }
        return t;
    }

    private static Map<String, List<JsonNode>> byType(JsonNode events) {
        Map<String, List<JsonNode>> m = new LinkedHashMap<>();
        for (JsonNode e : events) {
            m.computeIfAbsent(e.path("type").asText(""), k -> new ArrayList<>()).add(e);
        }
        return m;
    }

    /** A table per event type, in the order the types first appear; with more than one type each under its own heading. */
    static void print(PrintStream out, JsonNode events) {
        Map<String, List<JsonNode>> groups = byType(events);
        boolean first = true;
        for (Map.Entry<String, List<JsonNode>> g : groups.entrySet()) {
            if (!first) {
                out.println();
            }
            first = false;
            if (groups.size() > 1) {
                int n = g.getValue().size();
                out.println(Table.escape(g.getKey().isEmpty() ? "untyped" : g.getKey()) + " events (" + n + ")");
            }
            table(columns(g.getKey(), g.getValue()), g.getValue(), false).print(out);
        }
    }

    /**
     * Prints events as they come, for {@code tiyi events tail}: fixed column widths so that the rows
     * of one call line up with those of the next, and a header line first and whenever the columns
     * change (another type, or agents' events among local ones).
     */
    static final class Stream {
        private final PrintStream out;
        private String lastColumns;

        Stream(PrintStream out) {
            this.out = out;
        }

        void print(JsonNode events) {
            for (Map.Entry<String, List<JsonNode>> g : byType(events).entrySet()) {
                List<Col> cols = columns(g.getKey(), g.getValue());
                String signature = g.getKey() + cols.stream().map(Col::header).toList();
                boolean header = !signature.equals(lastColumns);
                if (header && lastColumns != null) {
                    out.println();
                }
                table(cols, g.getValue(), true).print(out, header);
                lastColumns = signature;
            }
        }
    }
}
