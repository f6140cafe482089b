package io.tiyi.backup;

import io.tiyi.TiyiException;
import io.tiyi.internal.Json;
import io.tiyi.store.Blobs;
import io.tiyi.store.LogEntry;
import io.tiyi.store.MutationTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Writes one generation, as the node and epoch it belongs to and no other: it refuses a directory
 * whose name or {@code generation.json} names another node or epoch, so a demoted primary never
 * writes into the generation of the primary that replaced it.
 */
final class GenerationWriter {
    /** At most this many directories are tried when another generation already took a start time. */
    private static final int NAME_ATTEMPTS = 1000;

    private final Generation generation;

    /**
     * A snapshot just written.
     *
     * @param seq the last seq it holds
     * @param last its last log entry, or empty for an empty log
     */
    record Taken(long seq, Optional<LogEntry> last) {}

    private GenerationWriter(Generation generation) {
        this.generation = generation;
    }

    /** Creates a new generation directory under {@code streamDir}, which must exist (an unmounted volume must not fill the root disk). */
    static GenerationWriter create(Path streamDir, String nodeId, long epoch, long startMillis) throws IOException {
        if (!Files.isDirectory(streamDir)) {
            throw new NoSuchFileException(streamDir.toString());
        }
        Path root = streamDir.resolve(Generation.GENERATIONS);
        StreamFiles.ensurePrivateDirectory(root);
        for (int i = 0; i < NAME_ATTEMPTS; i++) {
            Path dir = root.resolve(Generation.name(nodeId, epoch, startMillis + i));
            try {
                StreamFiles.createPrivateDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            return open(dir, nodeId, epoch);
        }
        throw new FileAlreadyExistsException(root.resolve(Generation.name(nodeId, epoch, startMillis)).toString(), null,
                NAME_ATTEMPTS + " generation directories from this start time on exist already");
    }

    /** A writer of the existing generation {@code dir}, refused unless it belongs to {@code nodeId} at {@code epoch}. */
    static GenerationWriter open(Path dir, String nodeId, long epoch) throws IOException {
        Generation g = Generation.parse(dir).orElseThrow(() -> TiyiException.invalid(dir + " is not a backup stream generation (its name is not"
                + " <node id>-e<epoch>-<start ms>)"));
        if (!g.nodeId().equals(nodeId) || g.epoch() != epoch) {
            throw refused(dir, g.nodeId(), g.epoch(), nodeId, epoch);
        }
        Optional<Generation.Info> info = g.info();
        if (info.isPresent() && (!info.get().nodeId().equals(nodeId) || info.get().epoch() != epoch)) {
            throw refused(g.infoFile(), info.get().nodeId(), info.get().epoch(), nodeId, epoch);
        }
        return new GenerationWriter(g);
    }

    private static TiyiException refused(Path what, String theirNode, long theirEpoch, String nodeId, long epoch) {
        return TiyiException.failedPrecondition("backup stream generation " + what + " belongs to node " + theirNode + " at epoch " + theirEpoch
                + "; node " + nodeId + " at epoch " + epoch + " writes only into its own generations");
    }

    Generation generation() {
        return generation;
    }

    /** True while the directory and its {@code generation.json} are still there (a volume can be unmounted or wiped). */
    boolean intact() {
        return Files.isRegularFile(generation.infoFile());
    }

    /** Writes {@code generation.json}, the last step of starting a generation: until then restore ignores it. */
    void writeInfo(long firstSeq) throws IOException {
        Generation.Info info = new Generation.Info(generation.nodeId(), generation.epoch(), generation.started(), firstSeq);
        byte[] json = (Json.write(info) + "\n").getBytes(StandardCharsets.UTF_8);
        StreamFiles.writeAtomically(generation.infoFile(), out -> out.write(json));
    }

    /** Takes a consistent snapshot of {@code dbFile} as {@code snapshot-<seq>.db}. */
    Taken snapshot(Path dbFile) throws IOException {
        Path tmp = generation.dir().resolve(".snapshot-" + System.nanoTime() + ".db.tmp");
        try {
            Optional<LogEntry> last;
            try {
                io.tiyi.store.Snapshots.vacuumInto(dbFile, tmp);
                last = io.tiyi.store.Snapshots.lastEntry(tmp);
            } catch (SQLException e) {
                throw new TiyiException("cannot snapshot " + dbFile + " into " + tmp.getParent() + ": " + e.getMessage(), e);
            }
            long seq = last.map(LogEntry::seq).orElse(0L);
            StreamFiles.publish(tmp, generation.dir().resolve("snapshot-" + seq + ".db"));
            return new Taken(seq, last);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes {@code entries} (contiguous) as one segment, after the blobs they name: a reader that
     * sees the segment also sees its blobs.
     */
    void writeSegment(List<LogEntry> entries, Blobs blobs) throws IOException {
        for (LogEntry e : entries) {
            for (String sha : MutationTypes.decode(e.kind(), e.payload()).blobs()) {
                writeBlob(sha, e.seq(), blobs);
            }
        }
        long first = entries.get(0).seq();
        long last = entries.get(entries.size() - 1).seq();
        Path log = generation.dir().resolve(Generation.LOG);
        StreamFiles.ensurePrivateDirectory(log);
        StreamFiles.writeAtomically(log.resolve(first + "-" + last + ".jsonl"), out -> {
            for (LogEntry e : entries) {
                out.write(Json.write(e).getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        });
    }

    private void writeBlob(String sha, long seq, Blobs blobs) throws IOException {
        Path f = generation.blobFile(sha);
        if (Files.isRegularFile(f)) {
            return;
        }
        byte[] data = blobs.get(sha).orElseThrow(() -> TiyiException.notFound("blob " + sha + " named by seq " + seq
                + " is not in state.db, so it cannot be streamed"));
        StreamFiles.ensurePrivateDirectory(f.getParent());
        StreamFiles.writeAtomically(f, out -> out.write(data));
    }

    /** Removes a generation whose start failed, so it is not left half-made. */
    void discard() {
        try {
            StreamFiles.deleteTree(generation.dir());
        } catch (IOException e) {
            // Without generation.json restore never reads it, and retention removes it once it is old.
        }
    }
}
