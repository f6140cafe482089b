package io.tiyi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import io.tiyi.release.ReleaseManifest;
import io.tiyi.release.ReleasePackager;
import io.tiyi.release.ReleaseTarball;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code tiyi release ...}: release tarballs for rolling upgrades. */
final class ReleaseCommands {
    private ReleaseCommands() {}

    /** A command on local files: no API, so of the options every command takes only {@code --help}. */
    abstract static class Local implements CliCommand {
        @Parameter(names = {"-h", "--help"}, help = true, description = "Show help")
        boolean help;

        private final GlobalOptions global = new GlobalOptions();

        @Override
        public GlobalOptions global() {
            global.help = help;
            return global;
        }
    }

    @Parameters(commandDescription = "Pack a Tiyi jar into the release tarball tiyi-<version>.tar.gz: manifest.json and the jar,"
            + " with its size and SHA-256")
    static final class Package extends Local {
        @Parameter(names = "--jar", description = "The jar to pack (default: the jar running this command)")
        String jar;

        @Parameter(names = "--version", description = "Release version (default: the jar's own); another version packs a copy of"
                + " the jar that reports it")
        String version;

        @Parameter(names = "--out", description = "Directory to write the tarball to, created if missing")
        String out = ".";

        @Override
        public int run(CliContext ctx) throws Exception {
            Path from = jar != null ? Path.of(jar) : runningJar();
            if (!Files.isRegularFile(from)) {
                throw new UsageException("--jar " + from + ": no such file");
            }
            Path file;
            ReleaseManifest m;
            try (Progress p = Progress.start(ctx, "release package")) {
                p.step("packing " + from.getFileName() + " (" + Progress.bytes(Files.size(from)) + ")");
                file = ReleasePackager.pack(from, version, Path.of(out)).toAbsolutePath().normalize();
                // Read back through the same checks an import makes: what is printed is what was verified.
                p.step("checking " + file.getFileName() + " (" + Progress.bytes(Files.size(file)) + ")");
                m = ReleaseTarball.read(file, ReleaseTarball.Limits.DEFAULT).manifest();
                p.done();
            }
            ReleaseManifest.Artifact a = m.artifacts().get(0);
            ctx.out.println(Table.escape("release " + m.version() + ": " + file + " (" + Files.size(file) + " bytes, artifact " + a.name() + " sha256 "
                    + a.sha256() + ")"));
            return 0;
        }

        private static Path runningJar() throws URISyntaxException {
            Path p = Path.of(TiyiCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(p)) {
                throw new UsageException("not running from a jar (classes in " + p + "): pass --jar FILE");
            }
            return p;
        }
    }
}
