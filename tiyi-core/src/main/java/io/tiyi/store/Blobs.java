package io.tiyi.store;

import static io.tiyi.store.generated.Tables.BLOBS;

import io.tiyi.TiyiException;
import java.util.Optional;

/**
 * Content-addressed blobs in state.db (release artifacts). They are not mutations: a mutation
 * names a blob by its SHA-256, the blob is stored before that mutation is submitted, and a
 * secondary fetches the blobs a log entry names before it replays it. Storing the same content
 * twice is a no-op, so either order of arrival is safe.
 */
public final class Blobs {
    private final StateStore store;

    public Blobs(StateStore store) {
        this.store = store;
    }

    /** Lowercase hex SHA-256 of {@code data}. */
    public static String sha256(byte[] data) {
        return io.tiyi.crypto.Sha256.hex(data);
    }

    /** Lowercase hex SHA-256 of a file. */
    public static String sha256(java.nio.file.Path file) throws java.io.IOException {
        return io.tiyi.crypto.Sha256.hex(file);
    }

    /** Stores {@code data} under its hash, which must be {@code sha256}; returns the hash. */
    public String put(String sha256, byte[] data) {
        String actual = sha256(data);
        if (!actual.equals(sha256)) {
            throw TiyiException.invalid("blob content does not match its hash: expected " + sha256 + ", got " + actual);
        }
        if (has(sha256)) {
            return sha256;
        }
        store.writeTx(db -> db.insertInto(BLOBS).set(BLOBS.SHA256, sha256).set(BLOBS.SIZE, (long) data.length).set(BLOBS.DATA, data)
                .set(BLOBS.CREATED_AT, System.currentTimeMillis()).onConflict(BLOBS.SHA256).doNothing().execute());
        return sha256;
    }

    public boolean has(String sha256) {
        return store.read(db -> db.fetchExists(BLOBS, BLOBS.SHA256.eq(sha256)));
    }

    public Optional<byte[]> get(String sha256) {
        return store.read(db -> db.select(BLOBS.DATA).from(BLOBS).where(BLOBS.SHA256.eq(sha256)).fetchOptional(BLOBS.DATA));
    }

    /** Deletes the blob {@code sha256}, if stored; deleting one that is not stored is a no-op. */
    public void delete(String sha256) {
        store.writeTx(db -> delete(db, sha256));
    }

    /**
     * Deletes the blob {@code sha256} inside a mutation's transaction, so that the blob goes with
     * the row that referred to it, on the primary and on every replica that replays the mutation.
     *
     * @return whether a blob was deleted
     */
    public static boolean delete(org.jooq.DSLContext db, String sha256) {
        return db.deleteFrom(BLOBS).where(BLOBS.SHA256.eq(sha256)).execute() > 0;
    }
}
