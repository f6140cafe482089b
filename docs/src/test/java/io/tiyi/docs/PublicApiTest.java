package io.tiyi.docs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.base.DescribedPredicate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Embedders reach Tiyi through its public API only (docs/architecture.md, "Public API"): the
 * examples, which are how embedding is documented and tested, may use those packages and the
 * named root types, and nothing else of {@code io.tiyi}. The reactor builds the examples before
 * this module, so their classes are there to read.
 */
class PublicApiTest {
    /** The API packages, as docs/architecture.md lists them. */
    static final Set<String> API_PACKAGES = Set.of("io.tiyi.config", "io.tiyi.waf", "io.tiyi.waf.undertow", "io.tiyi.waf.crs", "io.tiyi.client",
            "io.tiyi.client.rpc");
    /** The API types of the root package, which also holds the (package-private) assemblies. */
    static final Set<String> ROOT_API = Set.of("TiyiNode", "TiyiNodeBuilder", "TiyiCluster", "TiyiException", "ErrorCode", "TiyiVersion",
            "ProgressListener");

    static boolean isApi(JavaClass c) {
        String pkg = c.getPackageName();
        if (!pkg.startsWith("io.tiyi")) {
            return true;
        }
        if (pkg.startsWith("io.tiyi.examples")) {
            return true;
        }
        if (pkg.equals("io.tiyi")) {
            return ROOT_API.contains(c.getSimpleName().isEmpty() ? c.getName() : c.getSimpleName().split("\\$")[0])
                    || ROOT_API.stream().anyMatch(t -> c.getName().startsWith("io.tiyi." + t + "$"));
        }
        return API_PACKAGES.contains(pkg);
    }

    @Test
    void theEmbeddingExamplesUseOnlyThePublicApi() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(SnippetsTest.ROOT.resolve("examples"))) {
            dirs = s.filter(p -> Files.exists(p.resolve("pom.xml"))).flatMap(p -> Stream.of(p.resolve("target/classes"),
                    p.resolve("target/test-classes"))).filter(Files::isDirectory).toList();
        }
        assertThat(dirs).as("the examples' compiled classes (run mvn verify from the repository root)").hasSizeGreaterThanOrEqualTo(4);
        JavaClasses examples = new ClassFileImporter().importPaths(dirs);
        assertThat(examples).isNotEmpty();
        noClasses().should().dependOnClassesThat(DescribedPredicate.describe("are not Tiyi's public API", (JavaClass c) -> !isApi(c)))
                .because("embedders use the public API packages only; every other package may change in any release")
                .check(examples);
    }
}
