package io.tiyi.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.TiyiException;
import io.tiyi.release.ReleaseTarball.Limits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleasePackagerTest {
    static final Instant CREATED = Instant.parse("2025-06-01T12:00:00Z");
    static final String PROPERTIES = "# stamped by the build\nversion=1.0.0\ncommit=abc1234567\ndirty=false\n";

    @TempDir
    Path dir;

    /** A small jar laid out like tiyi.jar: a Multi-Release manifest, the version resource, a stored entry, a versioned class. */
    Path tiyiJar(String properties) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "io.tiyi.cli.TiyiCli");
        mf.getMainAttributes().put(Attributes.Name.MULTI_RELEASE, "true");
        Path jar = dir.resolve("tiyi.jar");
        java.io.ByteArrayOutputStream manifest = new java.io.ByteArrayOutputStream();
        mf.write(manifest);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            put(out, "META-INF/", new byte[0], true);
            put(out, "META-INF/MANIFEST.MF", manifest.toByteArray(), false);
            put(out, "io/", new byte[0], true);
            put(out, "io/tiyi/", new byte[0], true);
            if (properties != null) {
                put(out, VersionStamp.RESOURCE, properties.getBytes(StandardCharsets.ISO_8859_1), false);
            }
            put(out, "io/tiyi/Thing.class", "\312\376\272\276 some class".getBytes(StandardCharsets.ISO_8859_1), false);
            put(out, "io/tiyi/stored.bin", "stored, not deflated".getBytes(StandardCharsets.UTF_8), true);
            put(out, "x/A.txt", "base".getBytes(StandardCharsets.UTF_8), false);
            put(out, "META-INF/versions/17/x/A.txt", "java 17".getBytes(StandardCharsets.UTF_8), false);
        }
        return jar;
    }

    static void put(JarOutputStream out, String name, byte[] data, boolean stored) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(1_700_000_000_000L);
        if (stored) {
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            e.setCompressedSize(data.length);
            e.setCrc(crc.getValue());
        }
        out.putNextEntry(e);
        out.write(data);
        out.closeEntry();
    }

    /** Entry name to content, in file order. */
    static Map<String, byte[]> entries(byte[] jar) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                m.put(e.getName(), in.readAllBytes());
            }
        }
        return m;
    }

    @Test
    void packsTheJarAsItIsAtItsOwnVersion() throws IOException {
        Path jar = tiyiJar(PROPERTIES);

        Path file = ReleasePackager.pack(jar, null, dir.resolve("out"), CREATED);

        assertThat(file).isEqualTo(dir.resolve("out/tiyi-1.0.0.tar.gz"));
        ReleaseTarball t = ReleaseTarball.read(file, Limits.DEFAULT);
        assertThat(t.manifest().version()).isEqualTo("1.0.0");
        assertThat(t.manifest().created()).isEqualTo("2025-06-01T12:00:00Z");
        assertThat(t.manifest().artifacts()).containsExactly(new ReleaseManifest.Artifact("tiyi.jar", "any", "any", "artifacts/tiyi.jar",
                Files.size(jar), io.tiyi.store.Blobs.sha256(Files.readAllBytes(jar)), "java -jar tiyi.jar"));
        assertThat(t.artifact("tiyi.jar")).isEqualTo(Files.readAllBytes(jar));
        assertThat(ReleasePackager.versionOf(jar)).isEqualTo("1.0.0");
        try (var s = Files.list(dir.resolve("out"))) {
            assertThat(s).as("no temporary file left").containsExactly(file);
        }
    }

    @Test
    void anotherVersionRestampsACopyAndKeepsEveryOtherEntry() throws IOException {
        Path jar = tiyiJar(PROPERTIES);
        byte[] original = Files.readAllBytes(jar);

        Path file = ReleasePackager.pack(jar, "1.0.1", dir, CREATED);

        assertThat(file.getFileName()).hasToString("tiyi-1.0.1.tar.gz");
        ReleaseTarball t = ReleaseTarball.read(file, Limits.DEFAULT);
        assertThat(t.manifest().version()).isEqualTo("1.0.1");
        byte[] restamped = t.artifact("tiyi.jar");
        Map<String, byte[]> before = entries(original);
        Map<String, byte[]> after = entries(restamped);
        assertThat(new String(after.get(VersionStamp.RESOURCE), StandardCharsets.ISO_8859_1))
                .isEqualTo("# stamped by the build\nversion=1.0.1\ncommit=abc1234567\ndirty=false\n");
        assertThat(new ArrayList<>(after.keySet())).isEqualTo(new ArrayList<>(before.keySet()));
        assertThat(new ArrayList<>(after.keySet()).subList(0, 2)).containsExactly("META-INF/", "META-INF/MANIFEST.MF");
        before.forEach((name, content) -> {
            if (!name.equals(VersionStamp.RESOURCE)) {
                assertThat(after.get(name)).as(name).isEqualTo(content);
            }
        });

        Path copy = dir.resolve("restamped.jar");
        Files.write(copy, restamped);
        try (JarFile j = new JarFile(copy.toFile(), true, ZipFile.OPEN_READ, Runtime.version())) {
            assertThat(j.isMultiRelease()).isTrue();
            try (InputStream in = j.getInputStream(j.getJarEntry("x/A.txt"))) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("java 17");
            }
            ZipEntry stored = j.getEntry("io/tiyi/stored.bin");
            assertThat(stored.getMethod()).isEqualTo(ZipEntry.STORED);
            assertThat(stored.getTime()).isEqualTo(1_700_000_000_000L);
        }
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(restamped))) {
            assertThat(in.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.tiyi.cli.TiyiCli");
        }
        assertThat(ReleasePackager.versionOf(copy)).isEqualTo("1.0.1");
    }

    @Test
    void theSameJarVersionAndTimeGiveTheSameTarball() throws IOException {
        Path jar = tiyiJar(PROPERTIES);

        byte[] a = Files.readAllBytes(ReleasePackager.pack(jar, "1.0.1", dir.resolve("a"), CREATED));
        byte[] b = Files.readAllBytes(ReleasePackager.pack(jar, "1.0.1", dir.resolve("b"), CREATED));

        assertThat(a).isEqualTo(b);
    }

    @Test
    void restampsALastLineWithoutNewline() throws IOException {
        Path jar = tiyiJar("commit=abc1234567\nversion=0.9.0");

        byte[] restamped = ReleaseTarball.read(ReleasePackager.pack(jar, "2.0.0-rc.1", dir, CREATED), Limits.DEFAULT).artifact("tiyi.jar");

        assertThat(new String(entries(restamped).get(VersionStamp.RESOURCE), StandardCharsets.ISO_8859_1))
                .isEqualTo("commit=abc1234567\nversion=2.0.0-rc.1");
    }

    @Test
    void refusesWhatIsNotATiyiJarOrNotAVersion() throws IOException {
        Path jar = tiyiJar(PROPERTIES);
        assertThatThrownBy(() -> ReleasePackager.pack(jar, "1.1", dir, CREATED)).isInstanceOf(TiyiException.class)
                .hasMessage("version '1.1' is not a release version like 3.0.1 or 3.0.0-rc.1");

        Path unstamped = tiyiJar("version=${project.version}\n");
        assertThatThrownBy(() -> ReleasePackager.pack(unstamped, null, dir, CREATED)).isInstanceOf(TiyiException.class)
                .hasMessage(unstamped + ": io/tiyi/version.properties has no version (the build did not stamp it)");

        Path other = tiyiJar(null);
        assertThatThrownBy(() -> ReleasePackager.pack(other, "1.0.1", dir, CREATED)).isInstanceOf(TiyiException.class)
                .hasMessage(other + " has no io/tiyi/version.properties: not a Tiyi build");

        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "not a jar");
        assertThatThrownBy(() -> ReleasePackager.pack(text, null, dir, CREATED)).isInstanceOf(TiyiException.class)
                .hasMessage(text + " is not a jar (no entries)");
    }

    @Test
    void refusesToRestampASignedJar() throws IOException {
        Path jar = tiyiJar(PROPERTIES);
        Path signed = dir.resolve("signed.jar");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
                OutputStream raw = Files.newOutputStream(signed);
                JarOutputStream out = new JarOutputStream(raw)) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(in.readAllBytes());
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("META-INF/RELEASE.SF"));
            out.write("Signature-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }

        assertThatThrownBy(() -> ReleasePackager.pack(signed, "1.0.1", dir, CREATED)).isInstanceOf(TiyiException.class)
                .hasMessage(signed + " is signed (META-INF/RELEASE.SF): restamping its version would break the signature");
        assertThat(List.of(dir.toFile().list())).noneMatch(n -> n.endsWith(".tar.gz"));
    }
}
