package io.tiyi;

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
import org.junit.jupiter.api.io.TempDir;

/**
 * ARCHITECTURE §2's rule of direction, read from the sources: the WAF is usable alone, so
 * nothing under {@code io.tiyi.waf} imports the store, the cluster, the proxy, the agent or the
 * API; and nothing in core imports a launcher or the CLI.
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);

    record Violation(Path file, String imported) {}

    static List<Violation> imports(String underPackage, List<String> forbiddenPrefixes) throws IOException {
        return imports(MAIN, underPackage, forbiddenPrefixes);
    }

    static List<Violation> imports(Path root, String underPackage, List<String> forbiddenPrefixes) throws IOException {
        List<Violation> out = new ArrayList<>();
        Path dir = root.resolve(underPackage.replace('.', '/'));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                Matcher m = IMPORT.matcher(src);
                while (m.find()) {
                    String imported = m.group(1);
                    for (String bad : forbiddenPrefixes) {
                        if (imported.equals(bad) || imported.startsWith(bad + ".")) {
                            out.add(new Violation(root.relativize(f), imported));
                        }
                    }
                }
                for (String bad : forbiddenPrefixes) {
                    if (Pattern.compile("\\b" + Pattern.quote(bad) + "\\.[A-Z]").matcher(src.replaceAll("(?m)^import .*$", "")).find()) {
                        out.add(new Violation(root.relativize(f), bad + " (fully qualified use)"));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void wafDependsOnNothingOfTheControlOrDataPlane() throws IOException {
        assertThat(imports("io.tiyi.waf", List.of("io.tiyi.store", "io.tiyi.cluster", "io.tiyi.proxy", "io.tiyi.agent", "io.tiyi.api",
                "io.tiyi.sites", "io.tiyi.auth", "io.tiyi.settings", "io.tiyi.bundle", "io.tiyi.certs", "io.tiyi.events")))
                .as("io.tiyi.waf must be usable alone")
                .isEmpty();
    }

    @Test
    void coreImportsNoLauncherOrCli() throws IOException {
        assertThat(imports("io.tiyi", List.of("io.tiyi.launcher", "io.tiyi.cli", "ch.qos.logback"))).isEmpty();
    }

    @Test
    void theCheckSeesAViolation(@TempDir Path root) throws IOException {
        Path probe = root.resolve("io/tiyi/waf/ArchitectureProbe.java");
        Files.createDirectories(probe.getParent());
        Files.writeString(probe, "package io.tiyi.waf;\nimport io.tiyi.store.StateStore;\nclass ArchitectureProbe {}\n");
        assertThat(imports(root, "io.tiyi.waf", List.of("io.tiyi.store"))).extracting(Violation::imported)
                .contains("io.tiyi.store.StateStore");
    }
}
