package io.tiyi.siem;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.events.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every format on every kind of event, compared with the exact text in
 * {@code src/test/resources/siem/golden/<format>-<case>.txt} (the message, then one newline so
 * the file is a normal text file). The golden files are the reviewed proof that the output
 * conforms to RFC 5424, CEF and LEEF 2.0, and docs/siem.md quotes them.
 *
 * <p>After an intended change of output, rewrite them and review the diff:
 * {@code mvn -o -pl tiyi-core test -Dtest=SiemFormatGoldenTest -Dtiyi.siem.golden.update=true}.
 */
class SiemFormatGoldenTest {
    static final Path DIR = Path.of("src/test/resources/siem/golden");
    static final boolean UPDATE = Boolean.getBoolean("tiyi.siem.golden.update");

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (String format : List.of("rfc5424", "cef", "leef")) {
            for (Map.Entry<String, Event> c : SiemFixtures.CASES.entrySet()) {
                all.add(Arguments.of(format, c.getKey(), c.getValue()));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}-{1}")
    @MethodSource("cases")
    void matchesTheGoldenFile(String format, String name, Event event) throws IOException {
        String message = SiemFormat.named(format).format(event, SiemFixtures.ORIGIN);
        Path golden = DIR.resolve(format + "-" + name + ".txt");
        if (UPDATE) {
            Files.createDirectories(DIR);
            Files.writeString(golden, message + "\n", StandardCharsets.UTF_8);
        }
        assertThat(golden).as("golden file %s; create it with -Dtiyi.siem.golden.update=true", golden).exists();
        assertThat(message + "\n").isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }

    /** The docs show a blocked request in each format; they quote the golden files, so they cannot drift from the code. */
    @ParameterizedTest
    @ValueSource(strings = {"rfc5424", "cef", "leef"})
    void theDocsQuoteTheGoldenSample(String format) throws IOException {
        Path docs = Path.of("../docs/siem.md");
        assertThat(docs).isRegularFile();
        String sample = Files.readString(DIR.resolve(format + "-security-blocked.txt"), StandardCharsets.UTF_8);
        assertThat(Files.readString(docs, StandardCharsets.UTF_8)).as("%s quotes %s-security-blocked.txt", docs, format)
                .contains("```\n" + sample + "```\n");
    }
}
