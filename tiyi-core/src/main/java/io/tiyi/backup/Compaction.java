package io.tiyi.backup;

import io.tiyi.internal.Json;
import io.tiyi.store.LogEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges the small segments a generation collects between two snapshots (the stream ships soon
 * after each commit, so a busy hour makes thousands) into segments of up to {@link #MAX_ENTRIES}
 * entries. The merged file is in place before its parts are deleted, so a reader always finds
 * every seq; it may meanwhile see both, which {@link StreamRestore} handles.
 */
final class Compaction {
    static final int MAX_ENTRIES = 10_000;

    private Compaction() {}

    /**
     * Merges the segments after {@code afterSeq} into segments of at most {@code maxEntries}.
     *
     * @return the last seq of the contiguous run it looked at: where the next compaction starts
     */
    static long run(Generation g, long afterSeq, int maxEntries) throws IOException {
        long end = afterSeq;
        List<Generation.Segment> chunk = new ArrayList<>();
        List<Generation.Segment> redundant = new ArrayList<>();
        for (Generation.Segment seg : g.segments()) {
            if (seg.lastSeq() <= end) {
                // Left over from a merge that stopped before it deleted its parts.
                if (seg.firstSeq() > afterSeq) {
                    redundant.add(seg);
                }
                continue;
            }
            if (seg.firstSeq() != end + 1) {
                break;
            }
            if (!chunk.isEmpty() && seg.lastSeq() - chunk.get(0).firstSeq() + 1 > maxEntries) {
                merge(g, chunk);
                chunk.clear();
            }
            chunk.add(seg);
            end = seg.lastSeq();
        }
        merge(g, chunk);
        for (Generation.Segment seg : redundant) {
            Files.deleteIfExists(seg.file());
        }
        return end;
    }

    private static void merge(Generation g, List<Generation.Segment> parts) throws IOException {
        if (parts.size() < 2) {
            return;
        }
        long first = parts.get(0).firstSeq();
        long last = parts.get(parts.size() - 1).lastSeq();
        Path merged = g.dir().resolve(Generation.LOG).resolve(first + "-" + last + ".jsonl");
        StreamFiles.writeAtomically(merged, out -> {
            for (Generation.Segment p : parts) {
                for (LogEntry e : p.read()) {
                    out.write(Json.write(e).getBytes(StandardCharsets.UTF_8));
                    out.write('\n');
                }
            }
        });
        for (Generation.Segment p : parts) {
            Files.deleteIfExists(p.file());
        }
        StreamFiles.fsyncDirectory(merged.getParent());
    }
}
