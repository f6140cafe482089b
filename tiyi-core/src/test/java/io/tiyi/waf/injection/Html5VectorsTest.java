package io.tiyi.waf.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * libinjection's HTML5 tokenizer vectors ({@code tests/test-html5-*.txt} of the libinjection data in ../shared), run
 * as libinjection's test driver runs them: the sections read line by line, the input and expected text with trailing
 * blanks cut, the input tokenized from the data state, each token printed {@code TYPE,length,text} (the text cut at a
 * NUL, as C's %s does), and the output, trailing blanks cut, compared whole.
 */
class Html5VectorsTest {

    private static final Path VECTORS = Path.of("../../shared/libinjection/tests");

    /** Skips when ../shared has no vectors, fails instead under TIYI_REQUIRE_EXTERNAL=1. */
    private static void requireVectors() {
        if (!Files.isDirectory(VECTORS)) {
            if ("1".equals(System.getenv("TIYI_REQUIRE_EXTERNAL"))) {
                fail("libinjection's test vectors are missing: " + VECTORS.toAbsolutePath().normalize());
            }
            Assumptions.abort("libinjection's test vectors are not at " + VECTORS.toAbsolutePath().normalize());
        }
    }

    /** Reports the skip as a skipped test (an aborted parameter source alone shows as no test at all). */
    @Test
    void vectorsArePresent() {
        requireVectors();
    }

    static Stream<Path> vectors() throws IOException {
        requireVectors();
        List<Path> files;
        try (Stream<Path> listing = Files.list(VECTORS)) {
            files = listing.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith("test-html5-") && name.endsWith(".txt");
            }).sorted().toList();
        }
        assertThat(files).as("html5 vectors in %s", VECTORS).isNotEmpty();
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void tokenizesAsLibinjection(Path file) throws IOException {
        Vector vector = Vector.read(file);

        StringBuilder actual = new StringBuilder();
        Html5Tokenizer tokenizer = new Html5Tokenizer(vector.input(), Html5Context.DATA_STATE);
        while (tokenizer.next()) {
            String text = tokenizer.tokenText();
            int nul = text.indexOf('\0');
            actual.append(tokenizer.tokenType()).append(',').append(tokenizer.tokenLength()).append(',')
                    .append(nul < 0 ? text : text.substring(0, nul)).append('\n');
        }

        assertThat(rtrim(actual.toString()))
                .as("%s: %s", file.getFileName(), vector.name().strip())
                .isEqualTo(vector.expected());
    }

    /** One vector file: {@code --TEST--} name, {@code --INPUT--} input, {@code --EXPECTED--} tokens. */
    record Vector(String name, String input, String expected) {

        /** As libinjection's testdriver.c: a section marker is a whole line, in order; other lines go to the section. */
        static Vector read(Path file) throws IOException {
            String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            StringBuilder[] sections = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
            String[] markers = {"--TEST--\n", "--INPUT--\n", "--EXPECTED--\n"};
            int section = -1;
            int at = 0;
            while (at < content.length()) {
                int newline = content.indexOf('\n', at);
                int end = newline < 0 ? content.length() : newline + 1;
                String line = content.substring(at, end);
                at = end;
                if (section + 1 < markers.length && line.equals(markers[section + 1])) {
                    section++;
                } else if (section >= 0) {
                    sections[section].append(line);
                } else {
                    throw new IllegalArgumentException(file + ": text before --TEST--");
                }
            }
            if (section != 2) {
                throw new IllegalArgumentException(file + ": missing sections");
            }
            return new Vector(sections[0].toString(), rtrim(sections[1].toString()), rtrim(sections[2].toString()));
        }
    }

    /** The test driver's {@code modp_rtrim}: cuts trailing spaces, tabs, CRs and LFs. */
    static String rtrim(String s) {
        int end = s.length();
        while (end > 0) {
            char c = s.charAt(end - 1);
            if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
                break;
            }
            end--;
        }
        return s.substring(0, end);
    }
}
