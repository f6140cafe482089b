package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every table cell is printed without raw control characters, and long cells are shortened where asked. */
class TableTest {
    static String print(Table t) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        t.print(new PrintStream(b, true, StandardCharsets.UTF_8));
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void controlCharactersAreEscapedInEveryCell() {
        String out = print(new Table("NAME", "VALUE\tX").row("a\r\nb", "\u001b[2J\u001b[31mred\u0007").row("tab\there", "del\u007f c1\u0085 bidi\u202eevil")
                .row("line\u2028sep", "plain"));
        assertThat(out).contains("a\\r\\nb", "\\e[2J\\e[31mred\\x07", "VALUE\\tX", "tab\\there", "del\\x7f c1\\x85 bidi\\u202eevil", "line\\u2028sep");
        assertThat(out.chars().filter(c -> c != '\n' && (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x202e || c == 0x2028))).isEmpty();
        // One line per row: a newline in a value cannot make a row of its own.
        assertThat(out.lines()).hasSize(4);
    }

    @Test
    void printableTextIsLeftAsItIs() {
        assertThat(Table.escape("café /a\\nb ü 日本")).isEqualTo("café /a\\nb ü 日本");
    }

    @Test
    void longCellsAreShortenedAtTheEndOrInTheMiddle() {
        String path = "/api/v1/users/search?" + "x".repeat(80) + "&q=1%27%20OR%201=1";
        String out = print(new Table("PATH", "MESSAGE").limit(0, 30, Table.Cut.MIDDLE).limit(1, 20, Table.Cut.END)
                .row(path, "SQL Injection Attack Detected via libinjection"));
        String row = out.lines().toList().get(1);
        assertThat(row).startsWith("/api/v1/users/" ).contains("...").contains("OR%201=1");
        assertThat(row.substring(0, row.indexOf(' '))).hasSize(30);
        assertThat(row).endsWith("SQL Injection Att...");
        assertThat(Table.shorten("short", 20, Table.Cut.END)).isEqualTo("short");
    }

    @Test
    void escapesCountTowardsTheLimit() {
        String out = print(new Table("V").limit(0, 10, Table.Cut.END).row("\u001b\u001b\u001b\u001b\u001b\u001b"));
        assertThat(out.lines().toList().get(1)).isEqualTo("\\e\\e\\e\\...");
    }

    @Test
    void rowsOfSeveralCallsLineUpWithMinimumWidths() {
        String first = print(new Table("A", "B").minWidth(0, 8).row("x", "y"));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new Table("A", "B").minWidth(0, 8).row("xyz", "w").print(new PrintStream(b, true, StandardCharsets.UTF_8), false);
        assertThat(first.lines().toList()).containsExactly("A         B", "x         y");
        assertThat(b.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly("xyz       w");
    }
}
