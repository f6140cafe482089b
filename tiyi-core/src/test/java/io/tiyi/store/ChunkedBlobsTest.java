package io.tiyi.store;

import static io.tiyi.store.generated.Tables.BLOBS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blobs kept in chunks: stored from a file, read by range, copied out, deleted; blobs stored whole before chunking still read. */
class ChunkedBlobsTest {
    @TempDir
    Path dir;

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void aBlobOfSeveralChunksReadsBackByRangeAndWhole() throws Exception {
        byte[] data = random(Blobs.CHUNK * 3 + 1234);
        Path file = dir.resolve("artifact.bin");
        Files.write(file, data);
        try (StateStore store = StateStore.open(dir.resolve("state"))) {
            store.migrate();
            Blobs blobs = new Blobs(store);
            String sha = blobs.put(Blobs.sha256(data), file);

            assertThat(blobs.size(sha)).hasValue(data.length);
            assertThat(blobs.read(sha, Blobs.CHUNK - 10, 20)).isEqualTo(java.util.Arrays.copyOfRange(data, Blobs.CHUNK - 10, Blobs.CHUNK + 10));
            assertThat(blobs.read(sha, data.length - 5, 100)).as("fewer bytes at the end").hasSize(5);
            assertThat(blobs.read(sha, data.length, 100)).as("none past it").isEmpty();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            blobs.copyTo(sha, out);
            assertThat(out.toByteArray()).isEqualTo(data);
            assertThat(blobs.get(sha)).hasValue(data);
            assertThat((int) store.read(db -> db.fetchCount(io.tiyi.store.generated.Tables.BLOB_CHUNKS))).isEqualTo(4);
        }
    }

    @Test
    void contentThatDoesNotMatchItsHashIsRefusedAndNothingIsStored() throws Exception {
        Path file = dir.resolve("a.bin");
        Files.write(file, random(1000));
        try (StateStore store = StateStore.open(dir.resolve("state"))) {
            store.migrate();
            Blobs blobs = new Blobs(store);
            String wrong = Blobs.sha256(new byte[] {1});
            assertThatThrownBy(() -> blobs.put(wrong, file)).hasMessageContaining("does not match its hash").hasMessageContaining(wrong);
            assertThat(blobs.has(wrong)).isFalse();
        }
    }

    @Test
    void deleteRemovesTheBlobAndEveryChunk() throws Exception {
        byte[] data = random(Blobs.CHUNK * 2 + 7);
        try (StateStore store = StateStore.open(dir.resolve("state"))) {
            store.migrate();
            Blobs blobs = new Blobs(store);
            String sha = blobs.put(Blobs.sha256(data), data);
            String other = blobs.put(Blobs.sha256(new byte[] {9}), new byte[] {9});
            blobs.delete(sha);
            blobs.delete(sha);

            assertThat(blobs.has(sha)).isFalse();
            assertThat(blobs.get(sha)).isEmpty();
            assertThat((int) store.read(db -> db.fetchCount(io.tiyi.store.generated.Tables.BLOB_CHUNKS))).as("only the other blob's chunk").isEqualTo(1);
            assertThat(blobs.get(other)).hasValue(new byte[] {9});
        }
    }

    @Test
    void aBlobStoredWholeBeforeChunkingStillReads() throws Exception {
        byte[] data = random(Blobs.CHUNK + 99);
        String sha = Blobs.sha256(data);
        try (StateStore store = StateStore.open(dir.resolve("state"))) {
            store.migrate();
            // As a node before chunking stored it: the whole content in blobs.data.
            store.writeTx(db -> db.insertInto(BLOBS).set(BLOBS.SHA256, sha).set(BLOBS.SIZE, (long) data.length).set(BLOBS.DATA, data)
                    .set(BLOBS.CREATED_AT, 1L).execute());
            Blobs blobs = new Blobs(store);

            assertThat(blobs.get(sha)).hasValue(data);
            assertThat(blobs.read(sha, Blobs.CHUNK, 200)).isEqualTo(java.util.Arrays.copyOfRange(data, Blobs.CHUNK, data.length));
            blobs.delete(sha);
            assertThat(blobs.has(sha)).isFalse();
        }
    }
}
