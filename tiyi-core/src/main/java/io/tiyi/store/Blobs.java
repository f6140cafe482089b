package io.tiyi.store;

import static io.tiyi.store.generated.Tables.BLOBS;
import static io.tiyi.store.generated.Tables.BLOB_CHUNKS;

import io.tiyi.TiyiException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.jooq.impl.DSL;

/**
 * Content-addressed blobs in state.db (release artifacts). They are not mutations: a mutation
 * names a blob by its SHA-256, the blob is stored before that mutation is submitted, and a
 * secondary fetches the blobs a log entry names before it replays it. Storing the same content
 * twice is a no-op, so either order of arrival is safe.
 *
 * <p>Content is kept in {@code blob_chunks} rows of {@value #CHUNK} bytes, so a blob is stored
 * from a file, served by range and copied out without ever being whole in the Java heap. Blobs
 * stored before chunking keep their content in {@code blobs.data} and are read from there, by
 * range as well ({@code substr} on a BLOB counts bytes).
 */
public final class Blobs {
    /** Bytes per stored chunk. */
    public static final int CHUNK = 1 << 20;

    private final StateStore store;

    public Blobs(StateStore store) {
        this.store = store;
    }

    /** Lowercase hex SHA-256 of {@code data}. */
    public static String sha256(byte[] data) {
        return io.tiyi.crypto.Sha256.hex(data);
    }

    /** Lowercase hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        return io.tiyi.crypto.Sha256.hex(file);
    }

    /** Stores {@code data} under its hash, which must be {@code sha256}; returns the hash. */
    public String put(String sha256, byte[] data) {
        String actual = sha256(data);
        if (!actual.equals(sha256)) {
            throw TiyiException.invalid("blob content does not match its hash: expected " + sha256 + ", got " + actual);
        }
        return store(sha256, data.length, () -> new ByteArrayInputStream(data));
    }

    /**
     * Stores the content of {@code file} under its hash, which must be {@code sha256}, reading it a
     * chunk at a time; returns the hash.
     */
    public String put(String sha256, Path file) throws IOException {
        String actual = sha256(file);
        if (!actual.equals(sha256)) {
            throw TiyiException.invalid("blob content of " + file + " does not match its hash: expected " + sha256 + ", got " + actual);
        }
        long size = Files.size(file);
        return store(sha256, size, () -> {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private String store(String sha256, long size, java.util.function.Supplier<InputStream> content) {
        if (has(sha256)) {
            return sha256;
        }
        try {
            store.writeTx(db -> {
                if (db.fetchExists(BLOBS, BLOBS.SHA256.eq(sha256))) {
                    return null;
                }
                // Rows left by an interrupted store without their blobs row: this one replaces them.
                db.deleteFrom(BLOB_CHUNKS).where(BLOB_CHUNKS.SHA256.eq(sha256)).execute();
                try (InputStream in = content.get()) {
                    int idx = 0;
                    for (byte[] chunk; (chunk = in.readNBytes(CHUNK)).length > 0; idx++) {
                        db.insertInto(BLOB_CHUNKS).set(BLOB_CHUNKS.SHA256, sha256).set(BLOB_CHUNKS.IDX, idx).set(BLOB_CHUNKS.DATA, chunk).execute();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                db.insertInto(BLOBS).set(BLOBS.SHA256, sha256).set(BLOBS.SIZE, size).set(BLOBS.DATA, new byte[0])
                        .set(BLOBS.CREATED_AT, System.currentTimeMillis()).execute();
                return null;
            });
        } catch (UncheckedIOException e) {
            throw new TiyiException("cannot store blob " + sha256 + ": " + e.getCause().getMessage(), e);
        }
        return sha256;
    }

    public boolean has(String sha256) {
        return store.read(db -> db.fetchExists(BLOBS, BLOBS.SHA256.eq(sha256)));
    }

    /** The blob's size in bytes, empty when it is not stored. */
    public OptionalLong size(String sha256) {
        Long size = store.read(db -> db.select(BLOBS.SIZE).from(BLOBS).where(BLOBS.SHA256.eq(sha256)).fetchOne(BLOBS.SIZE));
        return size == null ? OptionalLong.empty() : OptionalLong.of(size);
    }

    /** The whole blob in memory: for small blobs and callers that need the bytes; {@link #copyTo} streams. */
    public Optional<byte[]> get(String sha256) {
        if (!has(sha256)) {
            return Optional.empty();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            copyTo(sha256, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(out.toByteArray());
    }

    /**
     * At most {@code length} bytes of the blob from {@code offset}: fewer at its end, none at or
     * past it. Reads only the chunks the range covers.
     *
     * @throws TiyiException not found when the blob is not stored
     */
    public byte[] read(String sha256, long offset, int length) {
        if (offset < 0 || length < 0) {
            throw TiyiException.invalid("offset and length must be 0 or more, got " + offset + " and " + length);
        }
        long size = size(sha256).orElseThrow(() -> TiyiException.notFound("no blob " + sha256 + " on this node"));
        int n = (int) Math.max(0, Math.min(length, size - offset));
        byte[] out = new byte[n];
        if (n == 0) {
            return out;
        }
        if (legacy(sha256)) {
            byte[] part = store.read(db -> db.select(DSL.field("substr(data, ?, ?)", byte[].class, offset + 1, n)).from(BLOBS)
                    .where(BLOBS.SHA256.eq(sha256)).fetchOne(0, byte[].class));
            System.arraycopy(part, 0, out, 0, n);
            return out;
        }
        int done = 0;
        while (done < n) {
            long at = offset + done;
            int idx = (int) (at / CHUNK);
            int within = (int) (at % CHUNK);
            byte[] chunk = chunk(sha256, idx);
            int take = Math.min(n - done, chunk.length - within);
            System.arraycopy(chunk, within, out, done, take);
            done += take;
        }
        return out;
    }

    /** Writes the whole blob to {@code out}, a chunk at a time. */
    public void copyTo(String sha256, OutputStream out) throws IOException {
        long size = size(sha256).orElseThrow(() -> TiyiException.notFound("no blob " + sha256 + " on this node"));
        for (long at = 0; at < size; at += CHUNK) {
            out.write(read(sha256, at, CHUNK));
        }
    }

    /** Removes the blob and all its content; a blob that is not stored is no error. */
    public void delete(String sha256) {
        store.writeTx(db -> delete(db, sha256));
    }

    /** Whether the blob was stored before chunking, whole in {@code blobs.data}. */
    private boolean legacy(String sha256) {
        Integer n = store.read(db -> db.select(DSL.field("length(data)", Integer.class)).from(BLOBS).where(BLOBS.SHA256.eq(sha256))
                .fetchOne(0, Integer.class));
        return n != null && n > 0;
    }

    private byte[] chunk(String sha256, int idx) {
        byte[] chunk = store.read(db -> db.select(BLOB_CHUNKS.DATA).from(BLOB_CHUNKS)
                .where(BLOB_CHUNKS.SHA256.eq(sha256).and(BLOB_CHUNKS.IDX.eq(idx))).fetchOne(BLOB_CHUNKS.DATA));
        if (chunk == null) {
            throw new TiyiException("blob " + sha256 + " is missing its chunk " + idx + " in state.db; import the release again");
        }
        return chunk;
    }

    /**
     * Deletes the blob {@code sha256} and its chunks inside a mutation's transaction, so that the
     * blob goes with the row that referred to it, on the primary and on every replica that replays
     * the mutation.
     *
     * @return whether a blob was deleted
     */
    public static boolean delete(org.jooq.DSLContext db, String sha256) {
        db.deleteFrom(BLOB_CHUNKS).where(BLOB_CHUNKS.SHA256.eq(sha256)).execute();
        return db.deleteFrom(BLOBS).where(BLOBS.SHA256.eq(sha256)).execute() > 0;
    }
}
