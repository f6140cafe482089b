package io.tiyi.waf.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import io.tiyi.internal.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Data-driven operator vectors: {@code vectors/<name>.json} beside this class holds the cases of
 * the operator registered as {@code <name>}, each built through {@link Operators#create} as the
 * SecLang compiler builds it.
 *
 * <p>A file is a JSON array of cases:
 *
 * <ul>
 *   <li>{@code param}: the operator argument, as the compiler passes it (the text after
 *       {@code @name }).
 *   <li>{@code input} or {@code input_hex}: the value, a byte string (every char 0-255, as the
 *       engine reads ISO-8859-1); {@code input_hex} spells the bytes as hex pairs, spaces allowed.
 *   <li>{@code ret}: 1 when the operator matches, else 0.
 *   <li>{@code note}: why the case is there.
 *   <li>{@code capture} (optional): {@code TX.0}, {@code TX.1}... as the operator sets them with the
 *       {@code capture} action; {@code null} for an index it must leave unset, and no index past
 *       the list may be set.
 *   <li>{@code files} (optional): name to content of files written to a fresh directory, the
 *       directory relative paths in {@code param} are taken from (the rule file's directory).
 *   <li>{@code tx} (optional): {@code TX} variables for {@code %{tx.name}} macros in
 *       {@code param}; any other reference expands to empty text, as in the engine.
 *   <li>{@code error} (optional): true when building the operator must fail with an
 *       {@link OperatorException}; {@code input} and {@code ret} are then left out.
 * </ul>
 *
 * <p>Every case runs twice: with {@code capture} (where the captures are checked) and without
 * (where the operator must give the same answer and capture nothing), because {@code @rx} compiles
 * differently for the two.
 */
class OperatorVectorsTest {
    /** One case of a vector file; unknown fields fail the parse so that a misspelt key is not silently ignored. */
    record Vector(
            String param,
            String input,
            String inputHex,
            Integer ret,
            String note,
            List<String> capture,
            Map<String, String> files,
            Map<String, String> tx,
            Boolean error) {}

    static Path vectorDir() {
        URL url = OperatorVectorsTest.class.getResource("vectors");
        assertThat(url).as("vectors/ beside %s", OperatorVectorsTest.class.getName()).isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Operator name (the file name without {@code .json}) to file. */
    static Map<String, Path> vectorFiles() throws IOException {
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(vectorDir())) {
            s.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .forEach(p -> out.put(p.getFileName().toString().replaceFirst("\\.json$", ""), p));
        }
        return out;
    }

    static List<Vector> read(Path file) throws IOException {
        return Json.MAPPER.readValue(file.toFile(), new TypeReference<List<Vector>>() {});
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (Map.Entry<String, Path> e : vectorFiles().entrySet()) {
            List<Vector> vs = read(e.getValue());
            for (int i = 0; i < vs.size(); i++) {
                Vector v = vs.get(i);
                out.add(Arguments.of(e.getKey() + ".json#" + (i + 1) + " " + (v.note() == null ? "" : v.note()), e.getKey(), v));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void vector(String title, String operator, Vector v, @TempDir Path dir) throws IOException {
        assertThat(v.note()).as("note").isNotBlank();
        assertThat(v.param()).as("param (use \"\" for none)").isNotNull();
        if (v.files() != null) {
            for (Map.Entry<String, String> f : v.files().entrySet()) {
                Path p = dir.resolve(f.getKey()).normalize();
                assertThat(p.startsWith(dir)).as("file %s stays in the vector's directory", f.getKey()).isTrue();
                Files.createDirectories(p.getParent());
                Files.write(p, f.getValue().getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        if (Boolean.TRUE.equals(v.error())) {
            assertThat(v.input() == null && v.inputHex() == null && v.ret() == null).as("an error case has no input or ret").isTrue();
            assertThatThrownBy(() -> Operators.create(operator, v.param(), dir, true)).as(title).isInstanceOf(OperatorException.class);
            assertThatThrownBy(() -> Operators.create(operator, v.param(), dir, false)).as(title).isInstanceOf(OperatorException.class);
            return;
        }
        assertThat(v.ret()).as("ret").isNotNull().isBetween(0, 1);
        String input = input(v);

        Ctx capturing = new Ctx(true, v.tx());
        boolean got = Operators.create(operator, v.param(), dir, true).evaluate(capturing, input);
        assertThat(got ? 1 : 0).as("%s: ret with capture", title).isEqualTo(v.ret());
        assertThat(capturing.errors).as("%s: evaluation errors", title).isEmpty();
        if (v.capture() != null) {
            Map<Integer, String> want = new TreeMap<>();
            for (int i = 0; i < v.capture().size(); i++) {
                if (v.capture().get(i) != null) {
                    want.put(i, v.capture().get(i));
                }
            }
            assertThat(capturing.captured).as("%s: TX.n captured", title).isEqualTo(want);
        }

        Ctx plain = new Ctx(false, v.tx());
        boolean gotPlain = Operators.create(operator, v.param(), dir, false).evaluate(plain, input);
        assertThat(gotPlain ? 1 : 0).as("%s: ret without capture", title).isEqualTo(v.ret());
        assertThat(plain.errors).as("%s: evaluation errors without capture", title).isEmpty();
    }

    /** A new operator cannot land without vectors: every registered name has its file. */
    @Test
    void everyRegisteredOperatorHasVectors() throws IOException {
        Map<String, Path> files = vectorFiles();
        List<String> missing = Operators.names().stream().filter(n -> !files.containsKey(n)).collect(Collectors.toList());
        assertThat(missing).as("operators without vectors/<name>.json (names as registered in Operators)").isEmpty();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            assertThat(read(e.getValue())).as("cases in %s", e.getValue().getFileName()).isNotEmpty();
        }
    }

    /** A file for a name the registry does not know would test nothing the engine runs. */
    @Test
    void everyVectorFileNamesARegisteredOperator() throws IOException {
        TreeSet<String> known = new TreeSet<>(Operators.names());
        assertThat(vectorFiles().keySet()).allSatisfy(n -> assertThat(known).as("registered operators").contains(n));
    }

    static String input(Vector v) {
        assertThat(v.input() == null ^ v.inputHex() == null).as("exactly one of input and input_hex").isTrue();
        if (v.input() != null) {
            for (int i = 0; i < v.input().length(); i++) {
                assertThat((int) v.input().charAt(i)).as("input char %d is a byte", i).isLessThanOrEqualTo(0xff);
            }
            return v.input();
        }
        String hex = v.inputHex().replaceAll("\\s+", "");
        assertThat(hex).as("input_hex").matches("(?:[0-9a-fA-F]{2})*");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) {
            sb.append((char) Integer.parseInt(hex.substring(i, i + 2), 16));
        }
        return sb.toString();
    }

    /** The transaction as an operator sees it: TX variables for macros, captures and errors recorded. */
    static final class Ctx implements MatchContext {
        private static final Pattern REF = Pattern.compile("%\\{([^}]*)\\}");

        final boolean capturing;
        final Map<String, String> tx = new TreeMap<>();
        final Map<Integer, String> captured = new TreeMap<>();
        final List<String> errors = new ArrayList<>();

        Ctx(boolean capturing, Map<String, String> tx) {
            this.capturing = capturing;
            if (tx != null) {
                tx.forEach((k, val) -> this.tx.put(k.toLowerCase(Locale.ROOT), val));
            }
        }

        @Override
        public String expand(String text) {
            Matcher m = REF.matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String ref = m.group(1).trim();
                int dot = ref.indexOf('.') >= 0 ? ref.indexOf('.') : ref.indexOf(':');
                String value = "";
                if (dot > 0 && ref.substring(0, dot).equalsIgnoreCase("tx")) {
                    value = tx.getOrDefault(ref.substring(dot + 1).toLowerCase(Locale.ROOT), "");
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(value));
            }
            m.appendTail(sb);
            return sb.toString();
        }

        @Override
        public boolean capturing() {
            return capturing;
        }

        @Override
        public void capture(int index, String value) {
            assertThat(capturing).as("capture(%d) called without the capture action", index).isTrue();
            captured.put(index, value);
        }

        @Override
        public void error(String message) {
            errors.add(message);
        }
    }
}
