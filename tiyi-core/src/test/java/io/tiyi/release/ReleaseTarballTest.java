package io.tiyi.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.tiyi.release.ReleaseTarball.ArtifactInput;
import io.tiyi.release.ReleaseTarball.Limits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseTarballTest {
    static final Instant CREATED = Instant.parse("2025-06-01T12:00:00Z");
    static final byte[] JAR = "PK\3\4 not really a jar, the tarball does not look inside".getBytes(StandardCharsets.UTF_8);
    static final byte[] BINARY = "\177ELF a native build".getBytes(StandardCharsets.UTF_8);
    static final String JAR_PATH = "artifacts/tiyi.jar";

    @TempDir
    Path dir;

    static ArtifactInput jar(byte[] content) {
        return new ArtifactInput("tiyi.jar", "any", "any", JAR_PATH, "java -jar tiyi.jar", content);
    }

    static ReleaseTarball release(String version, Instant created, ArtifactInput... artifacts) {
        return ReleaseTarball.create(version, created, List.of(artifacts));
    }

    static byte[] bytes(ReleaseTarball t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            t.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The manifest.json a correct tarball of {@code JAR} has. */
    static byte[] manifestOf(byte[] jar) throws IOException {
        return ReleaseTarball.manifestJson(release("3.0.1", CREATED, jar(jar)).manifest());
    }

    static ReleaseTarball read(byte[] gz) throws IOException {
        return ReleaseTarball.read(new ByteArrayInputStream(gz), Limits.DEFAULT);
    }

    static AbstractThrowableAssert<?, ? extends Throwable> refused(byte[] gz, Limits limits) {
        return assertThatThrownBy(() -> ReleaseTarball.read(new ByteArrayInputStream(gz), limits)).isInstanceOf(TiyiException.class)
                .satisfies(e -> assertThat(((TiyiException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    static AbstractThrowableAssert<?, ? extends Throwable> refused(byte[] gz) {
        return refused(gz, Limits.DEFAULT);
    }

    static String manifestText(String fields, String artifacts) {
        return "{" + fields + ", \"artifacts\": [" + artifacts + "]}";
    }

    static String artifactJson(String name, String os, String arch, String path, byte[] content) {
        return """
                {"name": "%s", "os": "%s", "arch": "%s", "path": "%s", "size": %d, "sha256": "%s", "entry_point": "run it"}"""
                .formatted(name, os, arch, path, content.length, io.tiyi.store.Blobs.sha256(content));
    }

    static final String HEADER = "\"manifest_version\": 1, \"version\": \"3.0.1\", \"created\": \"2025-06-01T12:00:00Z\"";

    @Test
    void roundTripKeepsTheManifestAndTheBytes() throws IOException {
        ReleaseTarball written = release("3.0.1", CREATED, jar(JAR),
                new ArtifactInput("tiyi-linux-amd64", "linux", "amd64", "artifacts/linux-amd64/tiyi", "./tiyi", BINARY));
        Path file = dir.resolve("tiyi-3.0.1.tar.gz");
        try (var out = Files.newOutputStream(file)) {
            written.writeTo(out);
        }

        ReleaseTarball read = ReleaseTarball.read(file, Limits.DEFAULT);

        ReleaseManifest m = read.manifest();
        assertThat(m).isEqualTo(written.manifest());
        assertThat(m.manifestVersion()).isEqualTo(1);
        assertThat(m.version()).isEqualTo("3.0.1");
        assertThat(m.created()).isEqualTo("2025-06-01T12:00:00Z");
        assertThat(m.artifacts().get(0)).isEqualTo(new ReleaseManifest.Artifact("tiyi.jar", "any", "any", JAR_PATH, JAR.length,
                io.tiyi.store.Blobs.sha256(JAR), "java -jar tiyi.jar"));
        assertThat(read.artifact("tiyi.jar")).isEqualTo(JAR);
        assertThat(read.artifact("tiyi-linux-amd64")).isEqualTo(BINARY);
        assertThat(m.artifactFor("linux", "amd64")).get().extracting(ReleaseManifest.Artifact::name).isEqualTo("tiyi-linux-amd64");
        assertThat(m.artifactFor("linux", "arm64")).get().extracting(ReleaseManifest.Artifact::name).isEqualTo("tiyi.jar");
        assertThatThrownBy(() -> read.artifact("tiyi.exe")).isInstanceOf(TiyiException.class)
                .hasMessage("release 3.0.1 has no artifact tiyi.exe (it has tiyi.jar, tiyi-linux-amd64)");
    }

    @Test
    void theManifestIsSnakeCaseJsonWithSortedKeys() throws IOException {
        assertThat(new String(manifestOf(JAR), StandardCharsets.UTF_8)).isEqualTo("""
                {
                  "artifacts": [
                    {
                      "arch": "any",
                      "entry_point": "java -jar tiyi.jar",
                      "name": "tiyi.jar",
                      "os": "any",
                      "path": "artifacts/tiyi.jar",
                      "sha256": "%s",
                      "size": %d
                    }
                  ],
                  "created": "2025-06-01T12:00:00Z",
                  "manifest_version": 1,
                  "version": "3.0.1"
                }
                """.formatted(io.tiyi.store.Blobs.sha256(JAR), JAR.length));
    }

    @Test
    void theSameInputsGiveTheSameBytes() throws IOException {
        byte[] a = bytes(release("3.0.1", CREATED, jar(JAR)));
        byte[] b = bytes(release("3.0.1", CREATED, jar(JAR.clone())));
        byte[] later = bytes(release("3.0.1", CREATED.plusSeconds(1), jar(JAR)));

        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(later);
        List<TarArchiveEntry> entries = new ArrayList<>();
        try (var tar = new TarArchiveInputStream(new java.util.zip.GZIPInputStream(new ByteArrayInputStream(a)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                entries.add(e);
            }
        }
        assertThat(entries).extracting(TarArchiveEntry::getName).containsExactly("manifest.json", JAR_PATH);
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.getMode()).isEqualTo(0100644);
            assertThat(e.getLongUserId()).isZero();
            assertThat(e.getLongGroupId()).isZero();
            assertThat(e.getUserName()).isEmpty();
            assertThat(e.getGroupName()).isEmpty();
            assertThat(e.getModTime().toInstant()).isEqualTo(CREATED);
        });
    }

    @Test
    void readsWhatOtherTarToolsWriteWithDotSlashAndDirectories() throws IOException {
        byte[] gz = Tars.tar().directory("./").file("./manifest.json", manifestOf(JAR)).directory("./artifacts/")
                .file("./" + JAR_PATH, JAR).gz();

        assertThat(read(gz).artifact("tiyi.jar")).isEqualTo(JAR);
    }

    @Test
    void refusesAnArtifactWithOneByteChanged() throws IOException {
        byte[] changed = JAR.clone();
        changed[10] ^= 1;
        byte[] gz = Tars.tar().file("manifest.json", manifestOf(JAR)).file(JAR_PATH, changed).gz();

        refused(gz).hasMessage("artifact tiyi.jar (any/any): SHA-256 mismatch: the manifest says " + io.tiyi.store.Blobs.sha256(JAR)
                + ", the tarball holds " + io.tiyi.store.Blobs.sha256(changed));
    }

    @Test
    void refusesAnArtifactOfAnotherSize() throws IOException {
        byte[] longer = Arrays.copyOf(JAR, JAR.length + 1);
        byte[] gz = Tars.tar().file("manifest.json", manifestOf(JAR)).file(JAR_PATH, longer).gz();

        refused(gz).hasMessage("artifact tiyi.jar (any/any): size mismatch: the manifest says " + JAR.length + " bytes, the tarball holds "
                + longer.length);
    }

    @Test
    void refusesPathTraversal() throws IOException {
        refused(Tars.tar().file("manifest.json", manifestOf(JAR)).file("../x", "boom").gz())
                .hasMessage("entry ../x: path traversal (..) is not allowed");
        refused(Tars.tar().file("artifacts/../../x", "boom").gz()).hasMessage("entry artifacts/../../x: path traversal (..) is not allowed");
    }

    @Test
    void refusesAbsolutePathsAndBackslashes() throws IOException {
        refused(Tars.tar().file("/etc/passwd", "root::0:0").gz()).hasMessage("entry /etc/passwd: absolute paths are not allowed");
        refused(Tars.tar().file("artifacts\\tiyi.jar", JAR).gz()).hasMessage("entry artifacts\\tiyi.jar: backslashes are not allowed");
        refused(Tars.tar().file("artifacts//tiyi.jar", JAR).gz())
                .hasMessage("entry artifacts//tiyi.jar: empty or '.' path segments are not allowed");
    }

    @Test
    void refusesLinksAndSpecialFiles() throws IOException {
        refused(Tars.tar().file("manifest.json", manifestOf(JAR)).special(JAR_PATH, TarConstants.LF_SYMLINK, "/etc/passwd").gz())
                .hasMessage("entry artifacts/tiyi.jar is a symbolic link to /etc/passwd: only regular files and directories are allowed");
        refused(Tars.tar().file("manifest.json", manifestOf(JAR)).special(JAR_PATH, TarConstants.LF_LINK, "manifest.json").gz())
                .hasMessage("entry artifacts/tiyi.jar is a hard link to manifest.json: only regular files and directories are allowed");
        refused(Tars.tar().special("dev/null", TarConstants.LF_CHR, null).gz())
                .hasMessage("entry dev/null is a character device: only regular files and directories are allowed");
        refused(Tars.tar().special("dev/sda", TarConstants.LF_BLK, null).gz())
                .hasMessage("entry dev/sda is a block device: only regular files and directories are allowed");
        refused(Tars.tar().special("pipe", TarConstants.LF_FIFO, null).gz())
                .hasMessage("entry pipe is a FIFO: only regular files and directories are allowed");
    }

    @Test
    void refusesDuplicateEntries() throws IOException {
        refused(Tars.tar().file("manifest.json", manifestOf(JAR)).file(JAR_PATH, JAR).file(JAR_PATH, JAR).gz())
                .hasMessage("duplicate entry artifacts/tiyi.jar");
        refused(Tars.tar().file("manifest.json", manifestOf(JAR)).file(JAR_PATH, JAR).file("./" + JAR_PATH, JAR).gz())
                .hasMessage("duplicate entry ./artifacts/tiyi.jar");
    }

    @Test
    void refusesAHeaderThatDeclaresMoreThanTheMemberLimitBeforeReadingIt() throws IOException {
        byte[] tar = Tars.tar().file(JAR_PATH, JAR).file("manifest.json", manifestOf(JAR)).tarBytes();
        Tars.patchSize(tar, 0, 300L << 20);

        refused(Tars.gzip(tar)).hasMessage("entry artifacts/tiyi.jar declares 314572800 bytes, more than the limit of 268435456 per member");
    }

    @Test
    void refusesAHeaderThatClaimsMoreThanTheTarballHolds() throws IOException {
        byte[] tar = Tars.tar().file(JAR_PATH, JAR).tarBytes();
        Tars.patchSize(tar, 0, 4096);

        refused(Tars.gzip(Arrays.copyOf(tar, 512 + JAR.length)))
                .hasMessageStartingWith("entry artifacts/tiyi.jar: its header says 4096 bytes but the tarball ends before them");
    }

    @Test
    void refusesMembersAndTarballsOverTheLimits() throws IOException {
        byte[] gz = Tars.tar().file(JAR_PATH, JAR).file("manifest.json", manifestOf(JAR)).gz();
        int manifestSize = manifestOf(JAR).length;

        refused(gz, new Limits(JAR.length - 1, 1 << 20, 64)).hasMessage("entry artifacts/tiyi.jar declares " + JAR.length
                + " bytes, more than the limit of " + (JAR.length - 1) + " per member");
        refused(gz, new Limits(manifestSize - 1, 1 << 20, 64)).hasMessage("entry manifest.json declares " + manifestSize
                + " bytes, more than the limit of " + (manifestSize - 1) + " per member");
        refused(gz, new Limits(1 << 20, manifestSize + JAR.length - 1, 64)).hasMessage("entry manifest.json brings the tarball's"
                + " members to more than the limit of " + (manifestSize + JAR.length - 1) + " bytes");
        refused(gz, new Limits(1 << 20, 1 << 20, 1)).hasMessage("more than 1 entries in the tarball (the limit)");
        assertThat(ReleaseTarball.read(new ByteArrayInputStream(gz), new Limits(manifestSize, manifestSize + JAR.length, 2))
                .artifact("tiyi.jar")).isEqualTo(JAR);
    }

    @Test
    void refusesATarThatExpandsFarBeyondItsMembers() {
        // A PAX record is buffered whole by the tar reader before any member limit sees it: the expansion bound stops it.
        TarArchiveEntry e = new TarArchiveEntry("a");
        e.setSize(4);
        e.addPaxHeader("comment", "x".repeat(1 << 20));
        byte[] gz = Tars.tar().entry(e, "tiny".getBytes(StandardCharsets.UTF_8)).gz();

        refused(gz, new Limits(1 << 10, 1 << 10, 4)).hasMessageStartingWith("the tarball expands to more than ");
    }

    @Test
    void refusesAnUnknownManifestVersion() throws IOException {
        String m = "{\"manifest_version\": 2, \"version\": \"4.0.0\", \"artifacts\": {\"a\": \"fields of a future format\"}}";

        refused(Tars.tar().file("manifest.json", m).gz()).hasMessage("manifest_version 2 is not supported by this build (supports 1)");
    }

    @Test
    void refusesAManifestThatIsNotValidJsonOrNotAManifest() {
        refused(Tars.tar().file("manifest.json", "{\"manifest_version\": 1,").gz()).hasMessageStartingWith("manifest.json is not JSON: ");
        refused(Tars.tar().file("manifest.json", "[1]").gz()).hasMessage("manifest.json is not a JSON object");
        refused(Tars.tar().file("manifest.json", "{\"version\": \"3.0.1\"}").gz()).hasMessage("manifest.json has no integer manifest_version");
        refused(Tars.tar().file("manifest.json", "{\"manifest_version\": 1, \"manifest_version\": 2}").gz())
                .hasMessageStartingWith("manifest.json is not JSON: Duplicate field 'manifest_version'");
        refused(Tars.tar().file("manifest.json", manifestText(HEADER + ", \"signature\": \"x\"", artifactJson("tiyi.jar", "any", "any",
                JAR_PATH, JAR))).file(JAR_PATH, JAR).gz()).hasMessageStartingWith("manifest.json: Unrecognized field \"signature\"");
        refused(Tars.tar().file("manifest.json", manifestText(HEADER, artifactJson("tiyi.jar", "any", "any", JAR_PATH, JAR)
                .replace(", \"entry_point\": \"run it\"", ""))).file(JAR_PATH, JAR).gz())
                .hasMessage("manifest.json: Missing creator property 'entry_point' (at artifacts[0].entry_point)");
    }

    @Test
    void refusesABadVersionOrCreationTime() {
        String artifact = artifactJson("tiyi.jar", "any", "any", JAR_PATH, JAR);
        refused(Tars.tar().file("manifest.json", manifestText(HEADER.replace("3.0.1", "3.0"), artifact)).file(JAR_PATH, JAR).gz())
                .hasMessage("manifest.json: version '3.0' is not a release version like 3.0.1 or 3.0.0-rc.1");
        refused(Tars.tar().file("manifest.json", manifestText(HEADER.replace("3.0.1", "3.0.1; rm -rf /"), artifact)).file(JAR_PATH, JAR)
                .gz()).hasMessage("manifest.json: version '3.0.1; rm -rf /' is not a release version like 3.0.1 or 3.0.0-rc.1");
        refused(Tars.tar().file("manifest.json", manifestText(HEADER.replace("12:00:00Z", "12:00:00+02:00"), artifact))
                .file(JAR_PATH, JAR).gz())
                .hasMessage("manifest.json: created '2025-06-01T12:00:00+02:00' is not an RFC 3339 UTC time like 2025-06-01T12:00:00Z");
    }

    @Test
    void refusesDuplicateArtifactsAndPlatforms() {
        refused(Tars.tar().file("manifest.json", manifestText(HEADER, artifactJson("tiyi.jar", "any", "any", JAR_PATH, JAR) + ","
                + artifactJson("tiyi.jar", "linux", "amd64", "b", BINARY))).file(JAR_PATH, JAR).file("b", BINARY).gz())
                .hasMessage("manifest.json: duplicate artifact name tiyi.jar");
        refused(Tars.tar().file("manifest.json", manifestText(HEADER, artifactJson("a", "linux", "arm64", "a", JAR) + ","
                + artifactJson("b", "linux", "arm64", "b", BINARY))).file("a", JAR).file("b", BINARY).gz())
                .hasMessage("manifest.json: artifacts a and b are both for linux/arm64");
        refused(Tars.tar().file("manifest.json", manifestText(HEADER, artifactJson("a", "linux", "x86", "a", JAR))).file("a", JAR).gz())
                .hasMessage("manifest.json: artifact a: platform linux/x86 is not one of linux/amd64, linux/arm64, any/any");
        refused(Tars.tar().file("manifest.json", manifestText(HEADER, artifactJson("a", "any", "any", "../a", JAR))).gz())
                .hasMessage("manifest.json: artifact a (any/any): path ../a: path traversal (..) is not allowed");
    }

    @Test
    void refusesAListedArtifactThatIsMissing() throws IOException {
        refused(Tars.tar().file("manifest.json", manifestOf(JAR)).gz())
                .hasMessage("artifact tiyi.jar (any/any): artifacts/tiyi.jar is not in the tarball");
        refused(Tars.tar().file("manifest.json", manifestOf(JAR)).directory(JAR_PATH).gz())
                .hasMessage("artifact tiyi.jar (any/any): artifacts/tiyi.jar is a directory in the tarball");
    }

    @Test
    void refusesAnEntryTheManifestDoesNotList() throws IOException {
        refused(Tars.tar().file("manifest.json", manifestOf(JAR)).file(JAR_PATH, JAR).file("artifacts/postinst.sh", "curl | sh").gz())
                .hasMessage("unlisted entry artifacts/postinst.sh (the manifest does not list it)");
        refused(Tars.tar().file("manifest.json", manifestOf(JAR)).file(JAR_PATH, JAR).directory("etc/cron.d").gz())
                .hasMessage("unlisted entry etc/cron.d/ (no listed file is under it)");
    }

    @Test
    void refusesWhatIsNotAGzippedTarWithAManifest() {
        refused("PK\3\4 a zip".getBytes(StandardCharsets.UTF_8))
                .hasMessage("not a gzip file (Not in GZIP format): a release tarball is a .tar.gz");
        refused(Tars.gzip("just some text that is not a tar header, but long enough to be read as one ".repeat(10)
                .getBytes(StandardCharsets.UTF_8))).hasMessageStartingWith("not a tar archive: ");
        refused(Tars.tar().gz()).hasMessage("the tarball holds no entries (is it a tar archive?)");
        refused(Tars.tar().file(JAR_PATH, JAR).gz()).hasMessage("the tarball has no manifest.json");
    }

    @Test
    void aFileIsNamedInItsRefusal() throws IOException {
        Path file = dir.resolve("tiyi-3.0.1.tar.gz");
        Files.write(file, Tars.tar().file(JAR_PATH, JAR).gz());

        assertThatThrownBy(() -> ReleaseTarball.read(file, Limits.DEFAULT)).isInstanceOf(TiyiException.class)
                .hasMessage(file + ": the tarball has no manifest.json");
    }
}
