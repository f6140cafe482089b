package io.tiyi.release;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import io.tiyi.TiyiException;
import io.tiyi.internal.Json;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A release tarball, {@code tiyi-<version>.tar.gz}: a gzip'd tar of {@code manifest.json} and the
 * artifacts it lists. An instance is always verified: {@link #read} checks every entry, the
 * manifest and every artifact's size and SHA-256, and refuses anything else in the tarball;
 * {@link #create} computes them.
 */
public final class ReleaseTarball {
    /** The name of the manifest at the root of the tarball. */
    public static final String MANIFEST = "manifest.json";

    // Fixed owner and mode, and the release's own creation time as mtime: the same inputs give
    // the same bytes, so a rebuilt tarball can be compared with a published checksum.
    private static final int FILE_MODE = 0100644;

    private final ReleaseManifest manifest;
    private final Map<String, byte[]> artifactsByName;

    ReleaseTarball(ReleaseManifest manifest, Map<String, byte[]> artifactsByName) {
        this.manifest = manifest;
        this.artifactsByName = Map.copyOf(artifactsByName);
    }

    /**
     * How much a tarball may hold: what a reader keeps in memory is bounded by these.
     *
     * @param maxMemberBytes the largest member, manifest included
     * @param maxTotalBytes all members together
     * @param maxEntries entries in the tar, directories included
     */
    public record Limits(long maxMemberBytes, long maxTotalBytes, int maxEntries) {
        /** 256 MiB per member, 512 MiB in all, 64 entries. */
        public static final Limits DEFAULT = new Limits(256L << 20, 512L << 20, 64);

        public Limits {
            if (maxMemberBytes <= 0 || maxTotalBytes <= 0 || maxEntries <= 0) {
                throw TiyiException.invalid("tarball limits must be positive: " + maxMemberBytes + " per member, " + maxTotalBytes
                        + " in all, " + maxEntries + " entries");
            }
            // Members are read into byte arrays.
            if (maxMemberBytes > Integer.MAX_VALUE - 8) {
                throw TiyiException.invalid("tarball member limit " + maxMemberBytes + " is more than a byte array holds");
            }
        }
    }

    /**
     * An artifact to put in a new tarball; its size and SHA-256 are computed.
     *
     * @param content the artifact's bytes (not copied: do not change them until the tarball is written)
     */
    public record ArtifactInput(String name, String os, String arch, String path, String entryPoint, byte[] content) {}

    /** Reads and verifies a release tarball file. */
    public static ReleaseTarball read(Path file, Limits limits) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, limits);
        } catch (TiyiException e) {
            TiyiException named = new TiyiException(e.code(), file + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    /**
     * Reads and verifies a release tarball from a stream, which is read to the end of the tar and
     * not closed.
     *
     * @throws TiyiException (invalid argument) naming the entry or artifact that is refused
     * @throws IOException when the stream itself fails
     */
    public static ReleaseTarball read(InputStream in, Limits limits) throws IOException {
        return new TarballReader(limits).read(in);
    }

    /** A new release of {@code artifacts}, created at {@code created} (kept to the second). */
    public static ReleaseTarball create(String version, Instant created, List<ArtifactInput> artifacts) {
        List<ReleaseManifest.Artifact> listed = new ArrayList<>();
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        for (ArtifactInput a : artifacts) {
            listed.add(new ReleaseManifest.Artifact(a.name(), a.os(), a.arch(), a.path(), a.content().length, io.tiyi.crypto.Sha256.hex(a.content()),
                    a.entryPoint()));
            bytes.put(a.name(), a.content());
        }
        String time = DateTimeFormatter.ISO_INSTANT.format(created.truncatedTo(ChronoUnit.SECONDS));
        return new ReleaseTarball(new ReleaseManifest(ReleaseManifest.CURRENT, version, time, listed), bytes);
    }

    /** The verified manifest. */
    public ReleaseManifest manifest() {
        return manifest;
    }

    /** A copy of the bytes of the artifact named {@code name}. */
    public byte[] artifact(String name) {
        return shared(name).clone();
    }

    /** The artifact's bytes themselves, for this package's importer: a copy of tens of MiB is not free. */
    byte[] shared(String name) {
        byte[] b = artifactsByName.get(name);
        if (b == null) {
            throw TiyiException.notFound("release " + manifest.version() + " has no artifact " + name + " (it has "
                    + String.join(", ", manifest.artifacts().stream().map(ReleaseManifest.Artifact::name).toList()) + ")");
        }
        return b;
    }

    /**
     * Writes the tarball: {@code manifest.json} first, then the artifacts in manifest order. The
     * stream is not closed.
     */
    public void writeTo(OutputStream out) throws IOException {
        Date mtime = Date.from(Instant.parse(manifest.created()));
        OutputStream shield = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(shield), StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            put(tar, MANIFEST, manifestJson(manifest), mtime);
            for (ReleaseManifest.Artifact a : manifest.artifacts()) {
                put(tar, a.path(), artifactsByName.get(a.name()), mtime);
            }
        }
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] data, Date mtime) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setMode(FILE_MODE);
        e.setModTime(mtime);
        e.setIds(0, 0);
        // The default is the name of whoever runs the build.
        e.setUserName("");
        e.setGroupName("");
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    static byte[] manifestJson(ReleaseManifest m) throws IOException {
        // Fixed "\n" line ends: the default pretty printer uses the platform's.
        DefaultIndenter lines = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)).withObjectIndenter(lines).withArrayIndenter(lines);
        String json = Json.MAPPER.writer(pretty).writeValueAsString(m);
        return (json + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
