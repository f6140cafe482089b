package io.tiyi.release;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Packs a Tiyi jar into the release tarball {@code tiyi-<version>.tar.gz} with one artifact,
 * {@code tiyi.jar} for any platform, run with {@code java -jar tiyi.jar}.
 */
public final class ReleasePackager {
    /** The artifact's name, and the file name it is run as. */
    public static final String ARTIFACT = "tiyi.jar";

    private ReleasePackager() {}

    /**
     * Writes {@code outDir/tiyi-<version>.tar.gz} (replacing one already there) and returns its path.
     *
     * @param jar a Tiyi jar: it has {@code io/tiyi/version.properties}
     * @param version the release version, or null for the jar's own; another version packs a copy
     *     of the jar whose version resource says it (same code, another version string)
     * @param outDir created if missing
     */
    public static Path pack(Path jar, String version, Path outDir) throws IOException {
        return pack(jar, version, outDir, Instant.now());
    }

    static Path pack(Path jar, String version, Path outDir, Instant created) throws IOException {
        byte[] original = Files.readAllBytes(jar);
        String own = VersionStamp.of(original, jar.toString());
        String v = version == null ? own : version;
        ReleaseManifest.requireVersion(v);
        byte[] artifact = v.equals(own) ? original : VersionStamp.restamp(original, jar.toString(), v);
        ReleaseTarball tarball = ReleaseTarball.create(v, created, List.of(new ReleaseTarball.ArtifactInput(ARTIFACT,
                ReleaseManifest.Artifact.ANY, ReleaseManifest.Artifact.ANY, "artifacts/" + ARTIFACT, "java -jar " + ARTIFACT, artifact)));
        Files.createDirectories(outDir);
        Path target = outDir.resolve("tiyi-" + v + ".tar.gz");
        // Written aside and moved in: a reader never sees half a tarball under the final name.
        // Not Files.createTempFile: its 0600 would stay on the tarball, which is for others to read.
        Path tmp = outDir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE))) {
                tarball.writeTo(out);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** The version a Tiyi jar was built as, from its {@code io/tiyi/version.properties}. */
    public static String versionOf(Path jar) throws IOException {
        return VersionStamp.of(Files.readAllBytes(jar), jar.toString());
    }
}
