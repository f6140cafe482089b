package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The CRS regression suite through a real node over HTTP, with the real CLI command operators use. */
class ConformanceIT {
    static final Path CRS = Path.of("../../shared/crs").toAbsolutePath().normalize();

    @Test
    void crsRegressionSuiteOverHttp() throws Exception {
        boolean have = Files.isDirectory(CRS.resolve("tests"));
        if (!have && "1".equals(System.getenv("TIYI_REQUIRE_EXTERNAL"))) {
            throw new AssertionError("CRS test data not found at " + CRS);
        }
        Assumptions.assumeTrue(have, "CRS test data not found at " + CRS);
        Path overrides = Path.of("../docs/crs-overrides.yaml").toAbsolutePath().normalize();
        TiyiProcess p = TiyiProcess.run(Map.of(), null, "waf", "conformance", "--crs", CRS.toString(), "--tests", CRS.resolve("tests").toString(),
                "--overrides", overrides.toString(), "--min-pass-rate", "97");
        List<String> lines = p.output().lines().toList();
        Path report = Path.of("target/crs-conformance-http.txt");
        Files.writeString(report, p.output());
        System.out.println("CRS conformance (HTTP): " + lines.get(lines.size() - 1) + "; report in " + report.toAbsolutePath());
        assertThat(p.exitCode()).as(lines.get(Math.max(0, lines.size() - 2))).isZero();
        assertThat(lines.get(lines.size() - 1)).matches("\\d+ passed, \\d+ failed");
        assertThat(p.output()).contains("Overridden (not passed):").contains("920100-5");
        // Standard output and error together: the temporary node's first-boot warnings (its bootstrap
        // admin password among them) stay unprinted, and what it logs is one line, no stack trace.
        assertThat(p.output()).doesNotContainIgnoringCase("password")
                .doesNotContain("\tat ", "Exception", "WARNING bootstrap", "auth.jwt_secret", "KEK falls back")
                .doesNotContainPattern("(?m)^\\s+at [\\w.$]+\\(");
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotStartWith("INFO ").doesNotStartWith("DEBUG "));
        assertThat(lines.stream().filter(l -> l.startsWith("ERROR") || l.startsWith("WARNING")))
                .allSatisfy(l -> assertThat(l).startsWith(l.startsWith("ERROR") ? "ERROR temporary node: " : "WARNING temporary node: "));
    }
}
