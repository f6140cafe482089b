package io.tiyi.waf.crs;

import io.tiyi.waf.seclang.SecLangException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A CRS 4 installation: its {@code rules/} directory, the setup file to load before the rules and
 * the CRS version, found and checked once.
 *
 * <p>The setup file is {@code crs-setup.conf} beside {@code rules/}, else the release's stock
 * {@code crs-setup.conf.example}. Debian and Ubuntu split their package: rules under
 * {@code /usr/share/modsecurity-crs}, setup in {@code /etc/modsecurity/crs/crs-setup.conf}; a
 * directory named {@code modsecurity-crs} without a setup file of its own takes that one.
 *
 * <p>Only CRS 4 is accepted: CRS 3 rules rely on ModSecurity 2 behaviour and variables that Tiyi's
 * engine does not reproduce, and CRS 4 changed the setup file's contract.
 *
 * @param dir the directory that was named
 * @param rulesDir its {@code rules/} directory
 * @param setupFile the setup file loaded before the rules
 * @param setupOrigin where the setup file came from, in words, for {@code tiyi crs status}
 * @param version the CRS version, such as {@code 4.29.0}
 * @param ruleFiles the {@code rules/*.conf} files, in load order
 */
public record CrsLayout(Path dir, Path rulesDir, Path setupFile, String setupOrigin, String version, List<Path> ruleFiles) {
    /** Where Debian's and Ubuntu's {@code modsecurity-crs} package keeps its setup file. */
    public static final Path DEBIAN_SETUP_DIR = Path.of("/etc/modsecurity/crs");
    /** Where Debian's and Ubuntu's {@code modsecurity-crs} package keeps its rules. */
    public static final Path DEBIAN_RULES_DIR = Path.of("/usr/share/modsecurity-crs");

    static final String INSTALL_HINT = "install a CRS 4 release with 'tiyi crs install --from coreruleset-4.x.y-minimal.tar.gz'"
            + " (a release tarball, its directory, or its https URL)";
    private static final Pattern SIGNATURE = Pattern.compile("OWASP_CRS/(\\d+)\\.(\\d+)\\.(\\d+)([-.][A-Za-z0-9.-]*)?");
    private static final Pattern SETUP_VERSION = Pattern.compile("setvar:'?tx\\.crs_setup_version=(\\d+)");
    private static final String INIT = "REQUEST-901-INITIALIZATION.conf";

    /** The installation in {@code dir}, with Debian's setup directory for a split layout. */
    public static CrsLayout of(Path dir) {
        return of(dir, DEBIAN_SETUP_DIR);
    }

    /**
     * The installation in {@code dir}.
     *
     * @param debianSetupDir where a split {@code modsecurity-crs} layout keeps {@code crs-setup.conf}
     * @throws SecLangException naming the directory and what is wrong: no rules, no setup file, no
     *     CRS version, or a CRS before 4 (with how to install CRS 4)
     */
    public static CrsLayout of(Path dir, Path debianSetupDir) {
        Path rules = dir.resolve("rules");
        if (!Files.isDirectory(rules)) {
            throw new SecLangException("CRS directory " + dir + " has no rules/ directory; point it at a CRS 4 release"
                    + " (crs-setup.conf.example and rules/), or " + INSTALL_HINT);
        }
        String version = version(rules);
        int major = Integer.parseInt(version.substring(0, version.indexOf('.')));
        if (major != 4) {
            throw new SecLangException("CRS " + version + " in " + dir + " is not supported: Tiyi runs CRS 4; " + INSTALL_HINT);
        }
        Path setup;
        String origin;
        if (Files.isRegularFile(dir.resolve("crs-setup.conf"))) {
            setup = dir.resolve("crs-setup.conf");
            origin = "crs-setup.conf beside rules/";
        } else if (Files.isRegularFile(dir.resolve("crs-setup.conf.example"))) {
            setup = dir.resolve("crs-setup.conf.example");
            origin = "the release's stock crs-setup.conf.example";
        } else if (dir.getFileName() != null && dir.getFileName().toString().equals("modsecurity-crs")
                && Files.isRegularFile(debianSetupDir.resolve("crs-setup.conf"))) {
            setup = debianSetupDir.resolve("crs-setup.conf");
            origin = "the Debian/Ubuntu package's " + setup;
        } else {
            throw new SecLangException("CRS directory " + dir + " has no crs-setup.conf or crs-setup.conf.example"
                    + (dir.getFileName() != null && dir.getFileName().toString().equals("modsecurity-crs")
                            ? " and " + debianSetupDir.resolve("crs-setup.conf") + " does not exist" : "")
                    + "; copy the release's crs-setup.conf.example beside rules/");
        }
        checkSetup(setup, version);
        List<Path> files;
        try (Stream<Path> s = Files.list(rules)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".conf") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new SecLangException("cannot list CRS rules in " + rules + ": " + e.getMessage());
        }
        return new CrsLayout(dir, rules, setup, origin, version, files);
    }

    /**
     * The CRS version declared by the rules: the {@code OWASP_CRS/x.y.z} component signature of
     * {@code REQUEST-901-INITIALIZATION.conf}, else the first one any rule file declares.
     */
    static String version(Path rules) {
        Path init = rules.resolve(INIT);
        String v = Files.isRegularFile(init) ? versionIn(init) : null;
        if (v == null) {
            try (Stream<Path> s = Files.list(rules)) {
                for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".conf")).sorted().toList()) {
                    v = versionIn(p);
                    if (v != null) {
                        break;
                    }
                }
            } catch (IOException e) {
                throw new SecLangException("cannot list CRS rules in " + rules + ": " + e.getMessage());
            }
        }
        if (v == null) {
            throw new SecLangException("no OWASP_CRS version found in " + rules + " (expected in " + INIT + "); is it a CRS release? "
                    + INSTALL_HINT);
        }
        return v;
    }

    private static String versionIn(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.ISO_8859_1);
            int sig = text.indexOf("SecComponentSignature");
            Matcher m = SIGNATURE.matcher(text);
            if (sig >= 0 && m.find(sig) || m.find(0)) {
                return m.group(1) + "." + m.group(2) + "." + m.group(3) + (m.group(4) == null ? "" : m.group(4));
            }
            return null;
        } catch (IOException e) {
            throw new SecLangException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** A CRS 3 setup file with CRS 4 rules would run with the wrong defaults: refuse the mix. */
    private static void checkSetup(Path setup, String version) {
        try {
            Matcher m = SETUP_VERSION.matcher(Files.readString(setup, StandardCharsets.ISO_8859_1));
            if (m.find() && !m.group(1).startsWith("4")) {
                throw new SecLangException("setup file " + setup + " is for CRS " + m.group(1).charAt(0) + " (tx.crs_setup_version="
                        + m.group(1) + ") but the rules are CRS " + version + "; use the crs-setup.conf.example of the CRS "
                        + version + " release");
            }
        } catch (IOException e) {
            throw new SecLangException("cannot read CRS setup file " + setup + ": " + e.getMessage());
        }
    }

    /** The number of rule files loaded. */
    public int ruleFileCount() {
        return ruleFiles.size();
    }
}
