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
        LibinjectionVector vector = LibinjectionVector.read(file);

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

    static String rtrim(String s) {
        return LibinjectionVector.rtrim(s);
    }

}
