package io.tiyi.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain text table for terminals.
 *
 * <p>Cells are printed with control characters escaped ({@code \r}, {@code \n}, {@code \t},
 * {@code \e}, {@code \xHH}, and bidirectional controls as a backslash, {@code u} and four hex
 * digits): values come from requests and users, and a raw carriage return or escape sequence would
 * let them rewrite what the operator sees.
 */
final class Table {
    /** Where a cell longer than its column's limit loses characters. */
    enum Cut {
        /** Keep the start: messages, lists. */
        END,
        /** Keep the start and the end: paths, whose query often holds what matched. */
        MIDDLE
    }

    private static final String ELLIPSIS = "...";
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;
    private final int[] limits;
    private final int[] minWidths;
    private final Cut[] cuts;

    Table(String... headers) {
        this.columns = headers.length;
        this.limits = new int[columns];
        this.minWidths = new int[columns];
        this.cuts = new Cut[columns];
        Arrays.fill(cuts, Cut.END);
        String[] h = new String[columns];
        for (int i = 0; i < columns; i++) {
            h[i] = escape(headers[i]);
        }
        rows.add(h);
    }

    /** Caps column {@code column} at {@code width} characters; longer cells are shortened with {@code ...}. */
    Table limit(int column, int width, Cut cut) {
        limits[column] = Math.max(width, ELLIPSIS.length() + 2);
        cuts[column] = cut;
        return this;
    }

    /** Makes column {@code column} at least {@code width} characters wide, for rows printed in several calls that should line up. */
    Table minWidth(int column, int width) {
        minWidths[column] = width;
        return this;
    }

    Table row(Object... cells) {
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            String v = escape(i < cells.length && cells[i] != null ? String.valueOf(cells[i]) : "");
            r[i] = limits[i] > 0 ? shorten(v, limits[i], cuts[i]) : v;
        }
        rows.add(r);
        return this;
    }

    /** Rows added, not counting the header. */
    int size() {
        return rows.size() - 1;
    }

    void print(PrintStream out) {
        print(out, true);
    }

    /** Prints the rows, and the header line before them when {@code header}. */
    void print(PrintStream out, boolean header) {
        int[] w = minWidths.clone();
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : header ? rows : rows.subList(1, rows.size())) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                sb.append(r[i]);
                if (i < columns - 1) {
                    sb.append(" ".repeat(w[i] - r[i].length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    static String time(long ms) {
        return ms <= 0 ? "" : Instant.ofEpochMilli(ms).toString().replaceFirst("\\.\\d+Z$", "Z");
    }

    /** {@code ms} in this machine's time zone, to the second: {@code 2026-11-28 22:00:01}. */
    static String localTime(long ms) {
        return ms <= 0 ? "" : LOCAL.format(Instant.ofEpochMilli(ms).atZone(ZoneId.systemDefault()));
    }

    /** {@code s} with every control character written as an escape, so printing it cannot move the cursor or change colours. */
    static String escape(String s) {
        return io.tiyi.internal.Text.escape(s);
    }

    static String shorten(String s, int width, Cut cut) {
        if (s.length() <= width) {
            return s;
        }
        int keep = width - ELLIPSIS.length();
        if (cut == Cut.END) {
            return s.substring(0, whole(s, keep)) + ELLIPSIS;
        }
        int head = whole(s, (keep + 1) / 2);
        int tail = s.length() - (keep - head);
        if (Character.isLowSurrogate(s.charAt(tail))) {
            tail++;
        }
        return s.substring(0, head) + ELLIPSIS + s.substring(tail);
    }

    /** {@code end}, or one less where it would split a surrogate pair. */
    private static int whole(String s, int end) {
        return end > 0 && Character.isHighSurrogate(s.charAt(end - 1)) ? end - 1 : end;
    }
}
