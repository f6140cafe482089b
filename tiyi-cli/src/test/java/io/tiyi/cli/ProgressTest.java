package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress line: on a terminal's standard error only, rewritten in place, ended with a newline. */
class ProgressTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    CliContext ctx(boolean terminal, String output, Map<String, String> env) {
        GlobalOptions o = new GlobalOptions();
        o.output = output;
        return new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), env, o, terminal);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** What a terminal shows last of each line: the text after the last carriage return. */
    String screen() {
        StringBuilder sb = new StringBuilder();
        for (String line : err().split("\n")) {
            String[] parts = line.split("\r");
            sb.append(parts.length == 0 ? "" : parts[parts.length - 1].stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    @Test
    void nothingWhenPipedOrJson() {
        for (CliContext c : new CliContext[] {ctx(false, null, Map.of()), ctx(true, "json", Map.of()), ctx(false, "table", Map.of())}) {
            try (Progress p = Progress.start(c, "backup create")) {
                assertThat(p.active()).isFalse();
                p.step("snapshot of state.db");
                p.advance(1, 2);
                p.note("WARNING shown elsewhere");
                p.done();
            }
        }
        assertThat(out.size()).isZero();
        assertThat(err()).isEqualTo("");
    }

    @Test
    void stepsAndCountsRewriteOneLineOnStandardError() {
        try (Progress p = Progress.start(ctx(true, null, Map.of()), "waf conformance")) {
            assertThat(p.active()).isTrue();
            p.step("sending the test requests");
            p.advance(0, 4000);
            p.advance(4000, 4000);
            p.step("uploading tiyi-3.0.0.tar.gz", Progress.Unit.BYTES);
            p.advance(3 * 1024 * 1024, 12 * 1024 * 1024);
            p.advance(12 * 1024 * 1024, 12 * 1024 * 1024);
        }
        assertThat(out.size()).as("standard output stays clean").isZero();
        String e = err();
        assertThat(e).startsWith("\r").endsWith("\n").contains("\rwaf conformance: sending the test requests 4000/4000 (100%)")
                .contains("\rwaf conformance: uploading tiyi-3.0.0.tar.gz 12.0 MiB/12.0 MiB (100%)");
        assertThat(e.chars().filter(c -> c == '\n').count()).isEqualTo(1);
        assertThat(screen()).isEqualTo("waf conformance: uploading tiyi-3.0.0.tar.gz 12.0 MiB/12.0 MiB (100%)\n");
    }

    @Test
    void doneAndNotesKeepTheirOwnLines() {
        try (Progress p = Progress.start(ctx(true, "table", Map.of()), "backup verify")) {
            p.step("checksums");
            p.advance(1, 3);
            p.note("ERROR temporary node: something broke");
            p.step("the audit chain");
            p.done();
        }
        String[] shown = screen().split("\n");
        assertThat(shown[0]).isEqualTo("ERROR temporary node: something broke");
        assertThat(shown[1]).matches("backup verify: done in \\d+\\.\\d s");
        assertThat(shown).hasSize(2);
    }

    @Test
    void aShorterLineClearsTheRestOfALongerOne() {
        try (Progress p = Progress.start(ctx(true, null, Map.of()), "release package")) {
            p.step("packing a-rather-long-file-name-for-a-jar.jar (44.9 MiB)");
            p.step("checking");
        }
        assertThat(screen()).isEqualTo("release package: checking\n");
    }

    @Test
    void theLineFitsTheTerminalAndCarriesNoControlCharacters() {
        Map<String, String> env = new HashMap<>();
        env.put("COLUMNS", "40");
        try (Progress p = Progress.start(ctx(true, null, env), "release import")) {
            p.step("uploading \u001b[2Jevil\r\nname-that-is-long.tar.gz", Progress.Unit.BYTES);
            p.advance(1, 2);
        }
        for (String segment : err().split("[\r\n]")) {
            assertThat(segment.length()).isLessThanOrEqualTo(39);
        }
        assertThat(err()).doesNotContain("\u001b").contains("\\e[2Jevil");
        assertThat(Arrays.stream(screen().split("\n")).toList()).allSatisfy(l -> assertThat(l).hasSizeLessThanOrEqualTo(39));
    }

    @Test
    void commandsShowTheirStepsOnATerminalOnly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String missing = dir.resolve("missing.tar.gz").toString();
        for (boolean terminal : new boolean[] {true, false}) {
            out.reset();
            err.reset();
            int code = TiyiCli.run(new String[] {"backup", "verify", missing}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), terminal);
            assertThat(code).isEqualTo(1);
            assertThat(out.size()).isZero();
            String error = "ERROR " + missing + ": no such backup (a FILE.tar.gz or a directory from tiyi backup create)\n";
            if (terminal) {
                // The step it failed in stays on its line; the error follows on its own.
                assertThat(err()).startsWith("\r").contains("\rbackup verify: reading missing.tar.gz").endsWith("\n" + error);
                assertThat(screen()).isEqualTo("backup verify: reading missing.tar.gz\n" + error);
            } else {
                assertThat(err()).isEqualTo(error);
            }
        }
    }

    @Test
    void elapsedTimeAndSizes() {
        Progress p = Progress.start(ctx(true, null, Map.of()), "backup create");
        p.step("snapshot of state.db");
        assertThat(p.line(500)).isEqualTo("backup create: snapshot of state.db");
        assertThat(p.line(12_300)).isEqualTo("backup create: snapshot of state.db 12s");
        p.close();
        assertThat(Progress.bytes(512)).isEqualTo("512 B");
        assertThat(Progress.bytes(45_026_276)).isEqualTo("42.9 MiB");
        assertThat(Progress.bytes(3L << 30)).isEqualTo("3.0 GiB");
    }
}
