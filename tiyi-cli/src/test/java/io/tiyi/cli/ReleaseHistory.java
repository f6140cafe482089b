package io.tiyi.cli;

import io.tiyi.internal.Json;
import io.tiyi.release.ReleaseManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fills a stopped node's {@code state.db} with the release history a long-running deployment
 * accumulates: earlier releases, each with one artifact stored the way an import stores it (a
 * {@code blobs} row and 1 MiB {@code blob_chunks}, keyed by the content's real SHA-256), plus its
 * {@code releases} and {@code release_artifacts} rows. The artifacts are random bytes, as
 * incompressible as a jar. No log entries are written: this is history from before the log's
 * retained tail, so it reaches a secondary only through a snapshot.
 */
final class ReleaseHistory {
    /** The chunk size of {@code blob_chunks} (Blobs.CHUNK). */
    private static final int CHUNK = 1 << 20;

    private ReleaseHistory() {}

    /** Writes {@code releases} releases {@code 2.<n>.0} of {@code artifactMiB} MiB each into {@code stateDb}. */
    static void write(Path stateDb, int releases, int artifactMiB) throws Exception {
        SplittableRandom random = new SplittableRandom(releases * 31L + artifactMiB);
        byte[] artifact = new byte[artifactMiB * CHUNK];
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + stateDb.toAbsolutePath())) {
            c.setAutoCommit(false);
            try (PreparedStatement chunk = c.prepareStatement("INSERT INTO blob_chunks (sha256, idx, data) VALUES (?, ?, ?)");
                    PreparedStatement blob = c.prepareStatement("INSERT INTO blobs (sha256, size, data, created_at) VALUES (?, ?, x'', ?)");
                    PreparedStatement release = c.prepareStatement(
                            "INSERT INTO releases (id, version, created, manifest, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, 'admin')");
                    PreparedStatement art = c.prepareStatement("INSERT INTO release_artifacts (release_id, name, os, arch, size, sha256,"
                            + " entry_point) VALUES (?, 'tiyi.jar', 'any', 'any', ?, ?, 'java -jar tiyi.jar')")) {
                for (int r = 0; r < releases; r++) {
                    random.nextBytes(artifact);
                    String sha = sha256(artifact);
                    for (int i = 0; i < artifactMiB; i++) {
                        chunk.setString(1, sha);
                        chunk.setInt(2, i);
                        chunk.setBytes(3, java.util.Arrays.copyOfRange(artifact, i * CHUNK, (i + 1) * CHUNK));
                        chunk.executeUpdate();
                    }
                    long importedAt = System.currentTimeMillis() - (releases - r) * 86_400_000L * 14;
                    blob.setString(1, sha);
                    blob.setLong(2, artifact.length);
                    blob.setLong(3, importedAt);
                    blob.executeUpdate();
                    String version = "2." + r + ".0";
                    String created = java.time.Instant.ofEpochMilli(importedAt).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
                    String manifest = Json.write(new ReleaseManifest(ReleaseManifest.CURRENT, version, created, List.of(new ReleaseManifest.Artifact(
                            "tiyi.jar", ReleaseManifest.Artifact.ANY, ReleaseManifest.Artifact.ANY, "artifacts/tiyi.jar", artifact.length, sha,
                            "java -jar tiyi.jar"))));
                    // The id an import gives a release (Releases.importTarball).
                    String id = "rel-" + sha256(manifest.getBytes(StandardCharsets.UTF_8)).substring(0, 10);
                    release.setString(1, id);
                    release.setString(2, version);
                    release.setString(3, created);
                    release.setString(4, manifest);
                    release.setLong(5, importedAt);
                    release.executeUpdate();
                    art.setString(1, id);
                    art.setLong(2, artifact.length);
                    art.setString(3, sha);
                    art.executeUpdate();
                }
            }
            c.commit();
        }
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
