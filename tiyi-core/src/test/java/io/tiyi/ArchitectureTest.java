package io.tiyi;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.tiyi.waf.probe.ArchitectureProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE §2's rule of direction, checked on the compiled classes (every reference counts:
 * imports, fully qualified names, signatures, annotations): the WAF is usable alone, so nothing
 * under {@code io.tiyi.waf} depends on state, cluster, proxy, agent, API or any other part of the
 * node; and nothing in core depends on a launcher, the CLI or a logging backend.
 */
class ArchitectureTest {
    /** Everything {@code io.tiyi.waf} must not use. */
    static final List<String> NOT_FOR_THE_WAF = List.of("io.tiyi.store", "io.tiyi.cluster", "io.tiyi.proxy", "io.tiyi.agent",
            "io.tiyi.api", "io.tiyi.sites", "io.tiyi.auth", "io.tiyi.settings", "io.tiyi.bundle", "io.tiyi.certs", "io.tiyi.events",
            "io.tiyi.config", "io.tiyi.client", "io.tiyi.audit");

    static final ArchRule WAF_IS_USABLE_ALONE = noClasses().that().resideInAPackage("io.tiyi.waf..")
            .should().dependOnClassesThat().resideInAnyPackage(NOT_FOR_THE_WAF.stream().map(p -> p + "..").toArray(String[]::new))
            .because("the WAF is embedded on its own (ARCHITECTURE §2)");

    static final ArchRule CORE_USES_NO_LAUNCHER_CLI_OR_LOGGING_BACKEND = noClasses().that().resideInAPackage("io.tiyi..")
            .should().dependOnClassesThat().resideInAnyPackage("io.tiyi.launcher..", "io.tiyi.cli..", "ch.qos.logback..")
            .because("tiyi-core is a library: launchers and the CLI depend on it, never the other way, and it logs through slf4j-api only");

    static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.tiyi");
        assertThat(core).as("core classes imported").hasSizeGreaterThan(300);
    }

    @Test
    void wafDependsOnNothingOfTheControlOrDataPlane() {
        WAF_IS_USABLE_ALONE.check(core);
    }

    @Test
    void coreUsesNoLauncherCliOrLoggingBackend() {
        CORE_USES_NO_LAUNCHER_CLI_OR_LOGGING_BACKEND.check(core);
    }

    /** An unused import leaves no trace in the bytecode, so the sources are read too. */
    @Test
    void noWafSourceEvenImportsThem() throws IOException {
        Pattern imp = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/tiyi/waf"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = imp.matcher(Files.readString(f));
                while (m.find()) {
                    String imported = m.group(1);
                    if (NOT_FOR_THE_WAF.stream().anyMatch(bad -> imported.startsWith(bad + "."))) {
                        found.add(f + " imports " + imported);
                    }
                }
            }
        }
        assertThat(found).as("io.tiyi.waf must be usable alone").isEmpty();
    }

    @Test
    void theRuleSeesAWafClassThatUsesTheStore() {
        EvaluationResult r = WAF_IS_USABLE_ALONE.evaluate(new ClassFileImporter().importClasses(ArchitectureProbe.class));
        assertThat(r.hasViolation()).isTrue();
        assertThat(r.getFailureReport().getDetails()).anySatisfy(d -> assertThat(d).contains("io.tiyi.store.StateStore"));
    }

    @Test
    void everyMutationTypeIsRegisteredForReplay() {
        java.util.Set<String> registered = new java.util.HashSet<>();
        io.tiyi.store.MutationTypes.all().forEach(t -> registered.add(t.getName()));
        java.util.List<String> mutations = core.stream().filter(c -> c.isAssignableTo(io.tiyi.store.Mutation.class) && !c.isInterface())
                .map(c -> c.getName()).toList();
        assertThat(mutations).hasSizeGreaterThan(20);
        assertThat(registered).as("MutationTypes lists every Mutation, or a secondary cannot replay it").containsAll(mutations);
    }
}
