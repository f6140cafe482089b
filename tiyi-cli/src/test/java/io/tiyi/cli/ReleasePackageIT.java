package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.release.ReleaseManifest;
import io.tiyi.release.ReleaseTarball;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tiyi release package} run from the real jar: the tarball reads back through every check,
 * and the restamped jar in it runs and reports the release's version.
 */
class ReleasePackageIT {
    @TempDir
    Path dir;

    @Test
    void packsTheRunningJarAtAnotherVersionAndThatJarRuns() throws Exception {
        Path out = dir.resolve("out");

        TiyiProcess p = TiyiProcess.run(Map.of(), null, "release", "package", "--version", "9.9.9", "--out", out.toString());

        assertThat(p.exitCode()).as(p.output()).isZero();
        Path file = out.resolve("tiyi-9.9.9.tar.gz").toAbsolutePath();
        ReleaseTarball t = ReleaseTarball.read(file, ReleaseTarball.Limits.DEFAULT);
        ReleaseManifest.Artifact a = t.manifest().artifacts().get(0);
        assertThat(p.output()).isEqualTo("release 9.9.9: " + file + " (" + Files.size(file) + " bytes, artifact tiyi.jar sha256 " + a.sha256()
                + ")");
        assertThat(t.manifest().version()).isEqualTo("9.9.9");
        assertThat(a.platform()).isEqualTo("any/any");

        Path jar = dir.resolve(a.name());
        Files.write(jar, t.artifact(a.name()));
        Process version = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "version").redirectErrorStream(true).start();
        assertThat(version.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(version.getInputStream().readAllBytes()).strip()).startsWith("tiyi 9.9.9 (commit ");
    }

    @Test
    void aMissingJarIsAUsageError() throws Exception {
        TiyiProcess p = TiyiProcess.run(Map.of(), null, "release", "package", "--jar", dir.resolve("nope.jar").toString());

        assertThat(p.exitCode()).isEqualTo(2);
        assertThat(p.output()).isEqualTo("ERROR --jar " + dir.resolve("nope.jar") + ": no such file (see: tiyi release package --help)");
    }
}
