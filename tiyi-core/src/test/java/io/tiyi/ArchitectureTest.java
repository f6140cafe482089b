package io.tiyi;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
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
 * node; the data plane (what an agent runs) knows nothing of the control plane's state; the store
 * knows no feature; the packages form no cycle; and nothing in core depends on a launcher, the
 * CLI or a logging backend.
 */
class ArchitectureTest {
    /** Everything {@code io.tiyi.waf} must not use. */
    static final List<String> NOT_FOR_THE_WAF = List.of("io.tiyi.store", "io.tiyi.cluster", "io.tiyi.proxy", "io.tiyi.agent",
            "io.tiyi.api", "io.tiyi.sites", "io.tiyi.auth", "io.tiyi.settings", "io.tiyi.bundle", "io.tiyi.certs", "io.tiyi.events",
            "io.tiyi.config", "io.tiyi.client", "io.tiyi.audit");

    /** What every package may use from the root package. */
    static final DescribedPredicate<JavaClass> ROOT_LEAVES = belongToAnyOf(TiyiException.class, ErrorCode.class, TiyiVersion.class,
            ProgressListener.class, ProgressListener.Unit.class);

    static final ArchRule WAF_IS_USABLE_ALONE = noClasses().that().resideInAPackage("io.tiyi.waf..")
            .should().dependOnClassesThat().resideInAnyPackage(NOT_FOR_THE_WAF.stream().map(p -> p + "..").toArray(String[]::new))
            .because("the WAF is embedded on its own (ARCHITECTURE §2)");

    static final ArchRule CORE_USES_NO_LAUNCHER_CLI_OR_LOGGING_BACKEND = noClasses().that().resideInAPackage("io.tiyi..")
            .should().dependOnClassesThat().resideInAnyPackage("io.tiyi.launcher..", "io.tiyi.cli..", "ch.qos.logback..")
            .because("tiyi-core is a library: launchers and the CLI depend on it, never the other way, and it logs through slf4j-api only");

    /** What an agent runs: the data plane, the wire formats it reads, and the leaves they stand on. */
    static final List<String> DATA_PLANE = List.of("io.tiyi.agent", "io.tiyi.proxy", "io.tiyi.waf", "io.tiyi.bundle", "io.tiyi.trust",
            "io.tiyi.events", "io.tiyi.siem", "io.tiyi.client", "io.tiyi.metrics", "io.tiyi.config", "io.tiyi.crypto", "io.tiyi.internal");

    /** The control plane: state and the features and services built on it. */
    static final List<String> CONTROL_PLANE = List.of("io.tiyi.store", "io.tiyi.cluster", "io.tiyi.api", "io.tiyi.auth", "io.tiyi.settings",
            "io.tiyi.sites", "io.tiyi.certs", "io.tiyi.fleet", "io.tiyi.alerts", "io.tiyi.release", "io.tiyi.audit", "io.tiyi.backup");

    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("io.tiyi.(*)..").should().beFreeOfCycles()
            .because("a package that depends on another that depends back on it cannot be understood, tested or moved alone");

    static final ArchRule AGENT_PROXY_AND_WAF_KNOW_NO_STATE = noClasses().that()
            .resideInAnyPackage("io.tiyi.agent..", "io.tiyi.proxy..", "io.tiyi.waf..")
            .should().dependOnClassesThat().resideInAnyPackage("io.tiyi.store..")
            .because("an agent has no state.db: it runs from signed bundles (ARCHITECTURE §7)");

    static final ArchRule DATA_PLANE_KNOWS_NO_CONTROL_PLANE = noClasses().that().resideInAnyPackage(packages(DATA_PLANE))
            .should().dependOnClassesThat().resideInAnyPackage(packages(CONTROL_PLANE))
            .because("agents run the data plane alone; the control plane drives it through bundles, never the other way");

    static final ArchRule STORE_KNOWS_NO_FEATURE = classes().that().resideInAPackage("io.tiyi.store..")
            .should().onlyDependOnClassesThat(resideOutsideOfPackage("io.tiyi..")
                    .or(resideInAnyPackage("io.tiyi.store..", "io.tiyi.internal..", "io.tiyi.crypto.."))
                    .or(ROOT_LEAVES))
            .because("features build on the store; it learns their mutation types through MutationKinds and the fencing check"
                    + " through WriteFence");

    static final ArchRule API_HOLDS_NO_FEATURE = noClasses().that().resideInAPackage("io.tiyi.api..")
            .should().dependOnClassesThat().resideInAnyPackage("io.tiyi.store..", "io.tiyi.cluster..", "io.tiyi.fleet..", "io.tiyi.sites..",
                    "io.tiyi.certs..", "io.tiyi.alerts..", "io.tiyi.release..", "io.tiyi.settings..", "io.tiyi.audit..", "io.tiyi.backup..",
                    "io.tiyi.siem..", "io.tiyi.proxy..", "io.tiyi.agent..", "io.tiyi.bundle..", "io.tiyi.trust..", "io.tiyi.waf..")
            .because("each feature registers its own RPC service (RpcService); the API is the transport, sessions and the node's status,"
                    + " not a central registry of every feature");

    static final ArchRule ONLY_THE_CLUSTER_CHANGES_ROLES = noClasses().that().resideOutsideOfPackages("io.tiyi", "io.tiyi.cluster..",
            "io.tiyi.backup..")
            .should().dependOnClassesThat().belongToAnyOf(io.tiyi.cluster.ClusterStates.class)
            .because("role, epoch and read-only flag change in cluster/ alone (the node's assembly boots them, an offline restore resets"
                    + " them); everyone else reads the ClusterState it is given");

    static final ArchRule ONLY_HARNESSES_USE_THE_FACADE = classes().that().resideOutsideOfPackage("io.tiyi")
            .and().resideOutsideOfPackage("io.tiyi.conformance..")
            .should().onlyDependOnClassesThat(resideOutsideOfPackage("io.tiyi").or(ROOT_LEAVES))
            .because("io.tiyi holds the facade that assembles every package; below it only its exception, error codes, version"
                    + " and progress listener are shared");

    static JavaClasses core;

    static String[] packages(List<String> roots) {
        return roots.stream().map(p -> p + "..").toArray(String[]::new);
    }

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

    @Test
    void packagesFormNoCycle() {
        NO_PACKAGE_CYCLES.check(core);
    }

    @Test
    void agentProxyAndWafKnowNoState() {
        AGENT_PROXY_AND_WAF_KNOW_NO_STATE.check(core);
    }

    @Test
    void dataPlaneKnowsNoControlPlane() {
        DATA_PLANE_KNOWS_NO_CONTROL_PLANE.check(core);
    }

    @Test
    void storeKnowsNoFeature() {
        STORE_KNOWS_NO_FEATURE.check(core);
    }

    @Test
    void apiHoldsNoFeature() {
        API_HOLDS_NO_FEATURE.check(core);
    }

    @Test
    void onlyTheClusterChangesRoles() {
        ONLY_THE_CLUSTER_CHANGES_ROLES.check(core);
    }

    @Test
    void onlyHarnessesUseTheFacade() {
        ONLY_HARNESSES_USE_THE_FACADE.check(core);
    }

    /** An unused import or an inlined constant leaves no trace in the bytecode, so the sources are read too. */
    @Test
    void noWafSourceEvenImportsThem() throws IOException {
        assertThat(importsOf("io.tiyi.waf", NOT_FOR_THE_WAF)).as("io.tiyi.waf must be usable alone").isEmpty();
    }

    @Test
    void noDataPlaneSourceEvenImportsTheControlPlane() throws IOException {
        List<String> found = new ArrayList<>();
        for (String p : DATA_PLANE) {
            found.addAll(importsOf(p, CONTROL_PLANE));
        }
        assertThat(found).as("the data plane must not know the control plane").isEmpty();
    }

    /** Imports in the sources under {@code pkg} of anything under {@code forbidden}. */
    static List<String> importsOf(String pkg, List<String> forbidden) throws IOException {
        Pattern imp = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java").resolve(pkg.replace('.', '/')))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = imp.matcher(Files.readString(f));
                while (m.find()) {
                    String imported = m.group(1);
                    if (forbidden.stream().anyMatch(bad -> imported.startsWith(bad + "."))) {
                        found.add(f + " imports " + imported);
                    }
                }
            }
        }
        return found;
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
