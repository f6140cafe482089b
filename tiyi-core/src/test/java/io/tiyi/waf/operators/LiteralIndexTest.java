package io.tiyi.waf.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shared literal index answers what each pattern's own prefilter answers, for every CRS pattern. */
class LiteralIndexTest {
    private static final Path CRS_RULES = Path.of("../../shared/crs/rules");
    private static final Pattern RX = Pattern.compile("\"@rx ((?:[^\"\\\\]++|\\\\.)*+)\"");

    private static List<Rx> crsPatterns() throws IOException {
        List<Rx> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(CRS_RULES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
                Matcher m = RX.matcher(Files.readString(f));
                while (m.find()) {
                    try {
                        out.add(new Rx(m.group(1).replace("\\\"", "\""), false));
                    } catch (OperatorException e) {
                        // A pattern java.util.regex does not take is not loaded by the engine either.
                    }
                }
            }
        }
        return out;
    }

    @Test
    void agreesWithEachPatternsOwnPrefilterOnEveryCrsPattern() throws IOException {
        List<Rx> patterns = crsPatterns();
        assertThat(patterns).hasSizeGreaterThan(200);
        LiteralIndex index = LiteralIndex.of(patterns);
        assertThat(index).isNotNull();
        List<String> literals = new ArrayList<>();
        int indexed = 0;
        for (Rx rx : patterns) {
            if (rx.prefilter() != null) {
                literals.addAll(rx.prefilter().literals());
                indexed++;
            }
        }
        assertThat(indexed).isGreaterThan(patterns.size() / 2);
        Random random = new Random(24);
        LiteralIndex.Scanner scanner = index.scanner();
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 <>'\"();=/\\.-_%&|$`{}[]\u00e9\u4e2d";
        int checked = 0;
        int passed = 0;
        for (int n = 0; n < 3000; n++) {
            StringBuilder s = new StringBuilder();
            int parts = random.nextInt(6);
            for (int p = 0; p < parts; p++) {
                if (random.nextBoolean()) {
                    String lit = literals.get(random.nextInt(literals.size()));
                    // Case changes and cut literals too: the index must fold case as the prefilter does.
                    lit = random.nextBoolean() ? lit.toUpperCase(java.util.Locale.ROOT) : lit;
                    s.append(random.nextInt(4) == 0 && lit.length() > 1 ? lit.substring(1) : lit);
                } else {
                    for (int k = random.nextInt(12); k > 0; k--) {
                        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                }
            }
            String value = s.toString();
            int[] found = scanner.scan(value);
            for (Rx rx : patterns) {
                if (rx.prefilter() == null) {
                    continue;
                }
                boolean own = rx.prefilter().mayMatch(value);
                LiteralIndex.Member member = rx.indexed();
                assertThat(member.mayMatch(found)).as("pattern %s on %s", rx.pattern(), value).isEqualTo(own);
                checked++;
                passed += own ? 1 : 0;
            }
        }
        // Both answers occur, or the comparison would show nothing.
        assertThat(passed).isGreaterThan(1000);
        assertThat(checked - passed).isGreaterThan(100_000);
    }

    @Test
    void reportsEachLiteralOnceAndNothingForAValueWithoutAny() {
        Rx a = new Rx("(?i)union\\s+select", false);
        Rx b = new Rx("(?:<script|javascript:)", false);
        LiteralIndex index = LiteralIndex.of(List.of(a, b));
        LiteralIndex.Scanner scanner = index.scanner();
        assertThat(scanner.scan("nothing to see")).isEmpty();
        int[] found = scanner.scan("<SCRIPT><script> select SELECT");
        assertThat(found).hasSize(2).doesNotHaveDuplicates();
        assertThat(a.indexed().mayMatch(found)).isTrue();
        assertThat(b.indexed().mayMatch(found)).isTrue();
        assertThat(a.indexed().mayMatch(scanner.scan("javascript:x"))).isFalse();
        // The scanner forgets what it found before: the next value starts from nothing.
        assertThat(scanner.scan("plain")).isEmpty();
    }

    @Test
    void aPatternWithoutPrefilterIsLeftOut() {
        Rx none = new Rx("^\\d+$", false);
        assertThat(LiteralIndex.of(List.of(none))).isNull();
        assertThat(none.indexed()).isNull();
    }
}
