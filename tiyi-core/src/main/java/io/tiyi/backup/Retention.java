package io.tiyi.backup;

import io.tiyi.store.LogEntry;
import io.tiyi.store.MutationTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a backup stream no longer needs to restore any point within the retention window:
 * other generations whose newest file is older than the window, and in the current generation
 * the snapshots and segments that a newer snapshot covers. The newest snapshot from before the
 * window stays, so the window's first moment can still be restored. Ages are file modification
 * times.
 */
final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    private static final String DELETING = ".deleting-";

    private Retention() {}

    /** Prunes {@code streamDir}; never touches {@code current} except to remove what newer snapshots cover. */
    static void prune(Path streamDir, Generation current, long cutoffMillis) throws IOException {
        pruneGenerations(streamDir, current, cutoffMillis);
        pruneWithin(current, cutoffMillis);
    }

    private static void pruneGenerations(Path streamDir, Generation current, long cutoff) throws IOException {
        Path root = streamDir.resolve(Generation.GENERATIONS);
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).toList();
        }
        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            if (name.startsWith(DELETING)) {
                StreamFiles.deleteTree(dir);
                continue;
            }
            if (dir.equals(current.dir()) || Generation.parse(dir).isEmpty() || StreamFiles.newestModified(dir) >= cutoff) {
                continue;
            }
            // Renamed first, so that a restore never reads a generation half deleted.
            Path doomed = root.resolve(DELETING + name);
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            StreamFiles.deleteTree(doomed);
            LOG.info("backup stream: removed generation {}: nothing in it is newer than the retention window", name);
        }
    }

    private static void pruneWithin(Generation g, long cutoff) throws IOException {
        List<Generation.Snapshot> snapshots = g.snapshots();
        if (snapshots.isEmpty()) {
            return;
        }
        List<Generation.Snapshot> kept = new ArrayList<>();
        Generation.Snapshot newestOld = null;
        for (Generation.Snapshot s : snapshots) {
            if (StreamFiles.modified(s.file()) >= cutoff) {
                kept.add(s);
            } else if (newestOld == null || s.seq() >= newestOld.seq()) {
                newestOld = s;
            }
        }
        if (newestOld != null) {
            kept.add(newestOld);
        }
        long oldestKeptSeq = kept.stream().mapToLong(Generation.Snapshot::seq).min().orElseThrow();
        for (Generation.Snapshot s : snapshots) {
            if (!kept.contains(s)) {
                Files.deleteIfExists(s.file());
            }
        }
        boolean removedSegments = false;
        for (Generation.Segment seg : g.segments()) {
            if (seg.lastSeq() <= oldestKeptSeq && StreamFiles.modified(seg.file()) < cutoff) {
                Files.deleteIfExists(seg.file());
                removedSegments = true;
            }
        }
        if (removedSegments) {
            pruneBlobs(g, cutoff);
        }
    }

    /** Blob files only the removed segments named; the snapshots hold their own blobs in state.db. */
    private static void pruneBlobs(Generation g, long cutoff) throws IOException {
        Path dir = g.dir().resolve(Generation.BLOBS);
        if (!Files.isDirectory(dir)) {
            return;
        }
        Set<String> named = new HashSet<>();
        for (Generation.Segment seg : g.segments()) {
            for (LogEntry e : seg.read()) {
                named.addAll(MutationTypes.decode(e.kind(), e.payload()).blobs());
            }
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (!name.startsWith(".") && !named.contains(name) && StreamFiles.modified(f) < cutoff) {
                Files.deleteIfExists(f);
            }
        }
    }
}
