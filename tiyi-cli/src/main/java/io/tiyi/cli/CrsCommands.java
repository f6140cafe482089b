package io.tiyi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.rpc.SystemService;
import io.tiyi.internal.PrivateFiles;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.crs.CrsInstaller;
import io.tiyi.waf.crs.CrsLayout;
import io.tiyi.waf.seclang.SecLangException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code tiyi crs install|status}: the OWASP CRS a node runs. */
final class CrsCommands {
    private static final Path DEBIAN = CrsLayout.DEBIAN_RULES_DIR;

    private CrsCommands() {}

    @Parameters(commandDescription = "Install a CRS 4 release into the node's state directory (crs/<version>/) and set waf.crs_dir;"
            + " run it on the primary's host. Bundles carry the rules to agents")
    static final class Install extends AccountCommands.Base {
        @Parameter(names = "--from", description = "A CRS 4 release tarball (.tar.gz), its unpacked directory (Debian's"
                + " /usr/share/modsecurity-crs too), or its https URL", required = true)
        String from;

        @Parameter(names = "--sha256", description = "Expected SHA-256 of the tarball or download (hex); needed for a URL whose digest"
                + " Tiyi does not pin")
        String sha256;

        @Override
        public int run(CliContext ctx) {
            Path root = ctx.stateDir().toAbsolutePath().normalize().resolve("crs");
            CrsLayout installed;
            int rules;
            try (Progress p = Progress.start(ctx, "installing the CRS")) {
                // A state directory that does not exist yet is created as the node would create it: 0700.
                try {
                    PrivateFiles.createDirectories(ctx.stateDir());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                installed = new CrsInstaller(root, p).install(from, Optional.ofNullable(sha256));
                p.step("compiling the rules");
                rules = TiyiWaf.builder().crs(installed.dir()).build().ruleCount();
                p.step("setting waf.crs_dir");
                ctx.client().call(SystemService.UPDATE_SETTING, new SystemService.UpdateRequest("waf.crs_dir", installed.dir().toString()));
            }
            Map<String, Object> r = describe(installed, rules, "waf.crs_dir");
            return AccountCommands.print(ctx, r, "installed OWASP CRS " + installed.version() + " in " + installed.dir() + " ("
                    + installed.ruleFileCount() + " rule files, " + rules + " rules); waf.crs_dir set, bundles carry it to agents");
        }
    }

    @Parameters(commandDescription = "Show the CRS the node runs: version, rule files, rules and where the setup file came from")
    static final class Status extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode s = ctx.client().call(SystemService.GET_SETTING, new SystemService.KeyRequest("waf.crs_dir"));
            String configured = s.path("value").asText("");
            Path dir;
            String source;
            if (!configured.isEmpty()) {
                dir = Path.of(configured);
                source = "waf.crs_dir";
            } else if (Files.isDirectory(DEBIAN.resolve("rules"))) {
                dir = DEBIAN;
                source = "auto-detected (Debian/Ubuntu package)";
            } else {
                Map<String, Object> none = new LinkedHashMap<>();
                none.put("source", "none");
                none.put("rules", "builtin");
                return AccountCommands.print(ctx, none, "no CRS: waf.crs_dir is empty and " + DEBIAN + " does not exist, so Tiyi's built-in"
                        + " rules run; install one with: tiyi crs install --from coreruleset-4.x.y-minimal.tar.gz");
            }
            CrsLayout layout;
            int rules;
            try {
                layout = CrsLayout.of(dir);
                rules = TiyiWaf.builder().crs(dir).build().ruleCount();
            } catch (SecLangException e) {
                if (configured.isEmpty()) {
                    // Nobody chose this one: the node skips it with a warning and runs the built-in rules.
                    Map<String, Object> skipped = new LinkedHashMap<>();
                    skipped.put("source", "none");
                    skipped.put("rules", "builtin");
                    skipped.put("skipped", dir.toString());
                    skipped.put("reason", e.getMessage());
                    return AccountCommands.print(ctx, skipped, "no CRS: waf.crs_dir is empty and auto-detection skipped the one in " + dir
                            + " (" + e.getMessage() + "), so Tiyi's built-in rules run");
                }
                ctx.err.println(Table.escape("ERROR the CRS in " + dir + " (" + source + ") cannot be used: " + e.getMessage()
                        + "; the node runs Tiyi's built-in rules instead"));
                return 1;
            }
            Map<String, Object> r = describe(layout, rules, source);
            if (ctx.json()) {
                ctx.printJson(r);
                return 0;
            }
            Table t = new Table("FIELD", "VALUE");
            t.row("version", layout.version());
            t.row("directory", layout.dir() + " (" + source + ")");
            t.row("rule files", layout.ruleFileCount() + " in " + layout.rulesDir());
            t.row("rules", rules);
            t.row("setup file", layout.setupFile() + " (" + layout.setupOrigin() + ")");
            t.print(ctx.out);
            return 0;
        }
    }

    private static Map<String, Object> describe(CrsLayout layout, int rules, String source) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("source", source);
        r.put("version", layout.version());
        r.put("dir", layout.dir().toString());
        r.put("rule_files", layout.ruleFileCount());
        r.put("rules", rules);
        r.put("setup_file", layout.setupFile().toString());
        r.put("setup_origin", layout.setupOrigin());
        return r;
    }
}
