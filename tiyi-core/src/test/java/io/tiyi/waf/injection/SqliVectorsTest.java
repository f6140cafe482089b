package io.tiyi.waf.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * libinjection's own SQLi test vectors: tokenizing, folding and detection must give what
 * libinjection gives. The vectors are libinjection's data and live outside the repository, in
 * {@code shared/libinjection/tests} beside it.
 */
class SqliVectorsTest {
    private static final Path VECTORS = Path.of("../../shared/libinjection/tests");

    static Stream<Arguments> tokenVectors() throws IOException {
        return vectors("tokens");
    }

    static Stream<Arguments> foldingVectors() throws IOException {
        return vectors("folding");
    }

    static Stream<Arguments> sqliVectors() throws IOException {
        return vectors("sqli");
    }

    /** Makes a missing vector directory visible as a skipped (or, when required, failed) test. */
    @Test
    void vectorsArePresent() {
        requireVectors();
    }

    private static void requireVectors() {
        if (!Files.isDirectory(VECTORS)) {
            String why = "libinjection test vectors not found at " + VECTORS.toAbsolutePath().normalize();
            if ("1".equals(System.getenv("TIYI_REQUIRE_EXTERNAL"))) {
                fail(why + " (TIYI_REQUIRE_EXTERNAL=1)");
            }
            Assumptions.abort(why);
        }
    }

    private static Stream<Arguments> vectors(String family) throws IOException {
        requireVectors();
        List<Path> files;
        try (Stream<Path> s = Files.list(VECTORS)) {
            files = s.filter(p -> family.equals(family(p))).sorted().collect(Collectors.toList());
        }
        assertThat(files).as("%s vector files in %s", family, VECTORS).isNotEmpty();
        return files.stream().map(p -> Arguments.of(p.getFileName().toString(), p));
    }

    /** The kind of vector, from libinjection's file naming; null for kinds not about SQLi. */
    static String family(Path file) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".txt")) {
            return null;
        }
        if (name.startsWith("test-tokens-")) {
            return "tokens";
        } else if (name.startsWith("test-folding-")) {
            return "folding";
        } else if (name.startsWith("test-sqli-")) {
            return "sqli";
        }
        return null;
    }

    /** test-tokens-*: the tokenizer alone, in the as-is ANSI context. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("tokenVectors")
    void tokenizesLikeLibinjection(String name, Path file) throws IOException {
        LibinjectionVector v = LibinjectionVector.read(file);
        check(name, v, tokens(v.input()));
    }

    /** test-folding-*: tokenizer and folder, in the as-is ANSI context. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("foldingVectors")
    void foldsLikeLibinjection(String name, Path file) throws IOException {
        LibinjectionVector v = LibinjectionVector.read(file);
        check(name, v, folded(v.input()));
    }

    /** test-sqli-*: the whole detection; expected is the fingerprint, or nothing when benign. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sqliVectors")
    void detectsLikeLibinjection(String name, Path file) throws IOException {
        LibinjectionVector v = LibinjectionVector.read(file);
        Sqli.Result r = Sqli.detect(v.input());
        check(name, v, r.fingerprint());
        assertThat(r.injection()).as("%s: injection", name).isEqualTo(!v.expected().isEmpty());
    }

    private static void check(String name, LibinjectionVector v, String actual) {
        assertThat(rtrim(actual)).as("%s (%s) input <%s>", name, v.name(), v.input()).isEqualTo(v.expected());
    }

    private static String tokens(String input) {
        SqliTables tables = SqliTables.get();
        SqlTokenizer tokenizer = new SqlTokenizer(tables, input,
                SqlTokenizer.FLAG_QUOTE_NONE | SqlTokenizer.FLAG_SQL_ANSI);
        StringBuilder out = new StringBuilder();
        SqlToken t = new SqlToken();
        while (tokenizer.next(t)) {
            print(out, t);
        }
        return out.toString();
    }

    private static String folded(String input) {
        SqliTables tables = SqliTables.get();
        SqlTokenizer tokenizer = new SqlTokenizer(tables, input,
                SqlTokenizer.FLAG_QUOTE_NONE | SqlTokenizer.FLAG_SQL_ANSI);
        SqlFolder folder = new SqlFolder(tokenizer, tables);
        int n = folder.fold();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            print(out, folder.tokens[i]);
        }
        return out.toString();
    }

    /** Prints a token as libinjection's test driver does: strings with their quotes, variables with their '@'. */
    private static void print(StringBuilder out, SqlToken t) {
        out.append(t.type).append(' ');
        if (t.type == SqlToken.VARIABLE) {
            for (int i = 0; i < Math.min(t.count, 2); i++) {
                out.append('@');
            }
        }
        boolean quoted = t.type == SqlToken.STRING || t.type == SqlToken.VARIABLE;
        if (quoted && t.strOpen != SqlToken.NONE) {
            out.append(t.strOpen);
        }
        out.append(SqlFolder.valueBeforeNul(t));
        if (quoted && t.strClose != SqlToken.NONE) {
            out.append(t.strClose);
        }
        out.append('\n');
    }

    static String rtrim(String s) {
        return LibinjectionVector.rtrim(s);
    }

}
