package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code bin/tiyi} command in the README's code blocks names a real command with options it
 * takes: each is parsed as written, with {@code --help} added so that nothing runs.
 */
class ReadmeCommandsTest {
    static Stream<List<String>> readmeCommands() throws IOException {
        List<List<String>> commands = new ArrayList<>();
        boolean code = false;
        String pending = "";
        for (String line : Files.readAllLines(Path.of("../README.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("```")) {
                code = !code;
                continue;
            }
            if (!code) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending += line.substring(0, line.length() - 1) + " ";
                continue;
            }
            String full = pending + line;
            pending = "";
            int comment = full.indexOf('#');
            int at = full.indexOf("bin/tiyi ");
            while (at >= 0 && (comment < 0 || at < comment)) {
                List<String> args = words(full.substring(at + "bin/tiyi ".length()));
                if (!args.isEmpty()) {
                    commands.add(args);
                }
                at = full.indexOf("bin/tiyi ", at + 1);
            }
        }
        assertThat(commands).hasSizeGreaterThan(40);
        return commands.stream();
    }

    /** Shell words up to the end of the command (a comment, pipe, redirection, ';', '&' or a closing ')'). */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
                continue;
            }
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                continue;
            }
            if (!inWord && c == '#' || c == '|' || c == '<' || c == '>' || c == ';' || c == ')' || c == '&') {
                break;
            }
            w.append(c);
            inWord = true;
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("readmeCommands")
    void parsesAsWritten(List<String> command) {
        List<String> args = new ArrayList<>(command);
        args.add("--help");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TiyiCli.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false);
        assertThat(exit).as("tiyi %s --help: %s%s", String.join(" ", command), out, err).isZero();
    }
}
