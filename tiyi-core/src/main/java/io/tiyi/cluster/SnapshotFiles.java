package io.tiyi.cluster;

import io.tiyi.TiyiException;
import io.tiyi.crypto.RandomTokens;
import io.tiyi.store.LogEntry;
import io.tiyi.store.Snapshots;
import io.tiyi.store.StateStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of state.db served to secondaries by range. A snapshot is taken once with
 * {@code VACUUM INTO} into a file in the state directory and read from there a range at a time,
 * so neither a large state.db nor many retries cost memory, and a transfer cut off resumes where
 * it stopped. One recent snapshot serves every request for {@link #REUSE} (seeding several
 * secondaries, retries); a snapshot nobody read for {@link #IDLE} is deleted, and so are leftovers
 * of an earlier run when the node starts.
 */
final class SnapshotFiles implements AutoCloseable {
    /** Largest range answered at once: the memory a transfer costs each side. */
    static final int MAX_RANGE = 8 << 20;
    /** How long a snapshot is handed out again instead of taking a new one. */
    static final long REUSE = 60_000;
    /** How long a snapshot nobody reads is kept. */
    static final long IDLE = 600_000;

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFiles.class);
    private static final String PREFIX = ".snapshot-";

    /**
     * A snapshot file.
     *
     * @param id its id, what ranges name
     * @param file where it is
     * @param size its size in bytes
     * @param sha256 its SHA-256
     * @param seq the last mutation seq it holds
     * @param takenAt when it was taken, ms
     */
    record Snapshot(String id, Path file, long size, String sha256, long seq, long takenAt) {}

    private final StateStore store;
    private final LongSupplier clock;
    private final Map<String, Snapshot> snapshots = new LinkedHashMap<>();
    private final Map<String, Long> lastRead = new LinkedHashMap<>();

    SnapshotFiles(StateStore store, LongSupplier clock) {
        this.store = store;
        this.clock = clock;
        removeLeftovers();
    }

    /** A snapshot at most {@link #REUSE} old: the newest one, or a new one taken now. */
    synchronized Snapshot take() {
        expire();
        long now = clock.getAsLong();
        Snapshot newest = null;
        for (Snapshot s : snapshots.values()) {
            newest = s;
        }
        if (newest != null && now - newest.takenAt() < REUSE) {
            lastRead.put(newest.id(), now);
            return newest;
        }
        Path tmp = null;
        try {
            String id = RandomTokens.token(12).replaceAll("[^A-Za-z0-9]", "x");
            tmp = store.dir().resolve(PREFIX + id + ".db");
            Snapshots.vacuumInto(store.dbFile(), tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            long seq = Snapshots.lastEntry(tmp).map(LogEntry::seq).orElse(0L);
            Snapshot s = new Snapshot(id, tmp, Files.size(tmp), io.tiyi.crypto.Sha256.hex(tmp), seq, now);
            snapshots.put(id, s);
            lastRead.put(id, now);
            LOG.info("cluster: took a snapshot of {} at seq {} ({} bytes) for secondaries", store.dbFile(), seq, s.size());
            return s;
        } catch (IOException | SQLException e) {
            delete(tmp);
            throw new TiyiException("cannot take a snapshot of " + store.dbFile() + ": " + e.getMessage(), e);
        }
    }

    /**
     * At most {@code length} bytes of snapshot {@code id} from {@code offset}; fewer at its end.
     *
     * @throws TiyiException not found when the snapshot expired or never existed (ask for a new one)
     */
    byte[] read(String id, long offset, int length) {
        if (offset < 0 || length < 1 || length > MAX_RANGE) {
            throw TiyiException.invalid("offset must be 0 or more and length 1 to " + MAX_RANGE + ", got " + offset + " and " + length);
        }
        Snapshot s;
        synchronized (this) {
            s = snapshots.get(id);
            if (s == null) {
                throw TiyiException.notFound("no snapshot '" + id + "' on this node (it expired or the node restarted): ask for a new one");
            }
            lastRead.put(id, clock.getAsLong());
        }
        int n = (int) Math.max(0, Math.min(length, s.size() - offset));
        ByteBuffer buf = ByteBuffer.allocate(n);
        try (FileChannel ch = FileChannel.open(s.file(), StandardOpenOption.READ)) {
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new TiyiException("cannot read snapshot " + s.file() + ": " + e.getMessage(), e);
        }
        return buf.array();
    }

    /** Deletes snapshots nobody read for {@link #IDLE}. */
    synchronized void expire() {
        long now = clock.getAsLong();
        snapshots.values().removeIf(s -> {
            if (now - lastRead.getOrDefault(s.id(), s.takenAt()) < IDLE) {
                return false;
            }
            lastRead.remove(s.id());
            delete(s.file());
            return true;
        });
    }

    private void removeLeftovers() {
        try (DirectoryStream<Path> old = Files.newDirectoryStream(store.dir(), PREFIX + "*")) {
            for (Path p : old) {
                delete(p);
            }
        } catch (IOException e) {
            LOG.warn("cluster: cannot list {} for old snapshot files ({}); delete {}* files there by hand to free the space", store.dir(),
                    e.getMessage(), PREFIX);
        }
    }

    private static void delete(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cluster: cannot delete the snapshot file {} ({}); delete it by hand to free the space", p, e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        snapshots.values().forEach(s -> delete(s.file()));
        snapshots.clear();
        lastRead.clear();
    }
}
