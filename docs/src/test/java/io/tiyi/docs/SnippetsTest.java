package io.tiyi.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Code in the docs is the examples' code: a fenced block preceded by
 * {@code <!-- snippet: path/to/File.java#tag -->} must equal the lines between
 * {@code // tag::tag[]} and {@code // end::tag[]} in that file (indentation removed), so every
 * snippet compiles and is tested with its example. Run with {@code -Dtiyi.docs.update=true} to
 * rewrite the blocks from the sources.
 */
class SnippetsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Pattern SNIPPET = Pattern.compile("<!-- snippet: ([^#\\s]+)#([\\w-]+) -->\\n```(\\w+)\\n(.*?)```", Pattern.DOTALL);

    record Snippet(String doc, String file, String tag, String shown, String source) {}

    static String region(Path file, String tag) throws IOException {
        List<String> lines = Files.readAllLines(file);
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            if (t.equals("// tag::" + tag + "[]")) {
                start = i + 1;
            } else if (t.equals("// end::" + tag + "[]")) {
                end = i;
            }
        }
        assertThat(start).as("// tag::%s[] in %s", tag, file).isPositive();
        assertThat(end).as("// end::%s[] in %s after its tag", tag, file).isGreaterThanOrEqualTo(start);
        List<String> region = lines.subList(start, end);
        int indent = region.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String l : region) {
            sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return sb.toString();
    }

    static List<Path> docs() throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            return s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
    }

    @Test
    void everySnippetIsTheCodeOfItsExample() throws IOException {
        boolean update = Boolean.getBoolean("tiyi.docs.update");
        List<Snippet> all = new ArrayList<>();
        for (Path doc : docs()) {
            String text = Files.readString(doc);
            Matcher m = SNIPPET.matcher(text);
            StringBuilder rewritten = new StringBuilder();
            while (m.find()) {
                Path file = ROOT.resolve(m.group(1));
                assertThat(file).as("snippet source named in %s", doc.getFileName()).isRegularFile();
                String source = region(file, m.group(2));
                all.add(new Snippet(doc.getFileName().toString(), m.group(1), m.group(2), m.group(4), source));
                m.appendReplacement(rewritten, Matcher.quoteReplacement(
                        "<!-- snippet: " + m.group(1) + "#" + m.group(2) + " -->\n```" + m.group(3) + "\n" + source + "```"));
            }
            m.appendTail(rewritten);
            if (update && !rewritten.toString().equals(text)) {
                Files.writeString(doc, rewritten.toString());
            }
        }
        assertThat(all).as("snippets in docs/*.md").isNotEmpty();
        if (!update) {
            for (Snippet s : all) {
                assertThat(s.shown()).as("%s shows %s#%s; run mvn -pl docs test -Dtiyi.docs.update=true after changing the example",
                        s.doc(), s.file(), s.tag()).isEqualTo(s.source());
            }
        }
    }

    @Test
    void everyExampleHasAReadme() throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve("examples"))) {
            for (Path example : s.filter(Files::isDirectory).filter(p -> Files.exists(p.resolve("pom.xml"))).toList()) {
                assertThat(example.resolve("README.md")).as("README of %s", example.getFileName()).isRegularFile();
                assertThat(Files.readString(ROOT.resolve("docs/embedding.md"))).as("docs/embedding.md names %s", example.getFileName())
                        .contains("examples/" + example.getFileName() + "/");
            }
        }
    }
}
