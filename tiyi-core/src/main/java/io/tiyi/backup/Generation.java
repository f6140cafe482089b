package io.tiyi.backup;

import io.tiyi.TiyiException;
import io.tiyi.internal.Json;
import io.tiyi.store.LogEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One generation of a backup stream, read side: {@code generations/<nodeId>-e<epoch>-<startMillis>/}
 * with its {@code generation.json}, {@code snapshot-<seq>.db} files, {@code log/<first>-<last>.jsonl}
 * segments and {@code blobs/<sha256>}. Names starting with a dot are files being written (or a
 * generation being deleted) and are never read.
 *
 * @param dir the generation's directory
 * @param nodeId the node that wrote it, from its name
 * @param epoch the epoch it was written at, from its name
 * @param started when it started, epoch ms, from its name
 */
record Generation(Path dir, String nodeId, long epoch, long started) {
    static final String GENERATIONS = "generations";
    static final String INFO = "generation.json";
    static final String LOG = "log";
    static final String BLOBS = "blobs";

    /** The node id is greedy, so an id containing {@code -e1-} still parses by the last two fields. */
    private static final Pattern NAME = Pattern.compile("(.+)-e(\\d+)-(\\d+)");
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d+)\\.db");
    private static final Pattern SEGMENT = Pattern.compile("(\\d+)-(\\d+)\\.jsonl");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /**
     * What {@code generation.json} says.
     *
     * @param nodeId the node that wrote the generation
     * @param epoch the epoch it wrote at
     * @param started when it started, epoch ms
     * @param firstSeq the first seq of its log: its first snapshot holds everything before
     */
    record Info(String nodeId, long epoch, long started, long firstSeq) {}

    /** A snapshot file and the last seq it holds. */
    record Snapshot(Path file, long seq) {}

    /** A log segment file and the seqs it holds, both inclusive. */
    record Segment(Path file, long firstSeq, long lastSeq) {
        /** Its entries, checked against its name: exactly {@code firstSeq..lastSeq}, in order. */
        List<LogEntry> read() throws IOException {
            List<LogEntry> entries = new ArrayList<>();
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    LogEntry e;
                    try {
                        e = Json.read(line, LogEntry.class);
                    } catch (IllegalArgumentException ex) {
                        throw damaged("line " + (entries.size() + 1) + " is not a log entry (" + ex.getMessage() + ")");
                    }
                    long expected = firstSeq + entries.size();
                    if (e.seq() != expected) {
                        throw damaged("line " + (entries.size() + 1) + " holds seq " + e.seq() + " where seq " + expected + " belongs");
                    }
                    entries.add(e);
                }
            }
            if (entries.size() != lastSeq - firstSeq + 1) {
                throw damaged("it holds " + entries.size() + " entries, its name says " + (lastSeq - firstSeq + 1));
            }
            return entries;
        }

        private TiyiException damaged(String why) {
            return TiyiException.failedPrecondition("backup stream segment " + file + " is damaged: " + why);
        }
    }

    static String name(String nodeId, long epoch, long started) {
        return nodeId + "-e" + epoch + "-" + started;
    }

    /** The generation {@code dir} is by its name, or empty when the name is not a generation's. */
    static Optional<Generation> parse(Path dir) {
        String n = dir.getFileName().toString();
        Matcher m = NAME.matcher(n);
        if (n.startsWith(".") || !m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Generation(dir, m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Every generation under {@code streamDir}, oldest start first. */
    static List<Generation> list(Path streamDir) throws IOException {
        Path root = streamDir.resolve(GENERATIONS);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(Generation::parse).flatMap(Optional::stream)
                    .sorted(Comparator.comparingLong(Generation::started).thenComparing(g -> g.dir().getFileName().toString())).toList();
        }
    }

    String name() {
        return dir.getFileName().toString();
    }

    Path infoFile() {
        return dir.resolve(INFO);
    }

    /** Its {@code generation.json}, or empty while the generation is still starting (or its start failed). */
    Optional<Info> info() throws IOException {
        Path f = infoFile();
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.read(Files.readString(f), Info.class));
        } catch (IllegalArgumentException e) {
            throw TiyiException.failedPrecondition(f + " is damaged: " + e.getMessage());
        }
    }

    /** Its snapshots, lowest seq first. */
    List<Snapshot> snapshots() throws IOException {
        List<Snapshot> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                Matcher m = SNAPSHOT.matcher(f.getFileName().toString());
                if (m.matches() && Files.isRegularFile(f)) {
                    out.add(new Snapshot(f, Long.parseLong(m.group(1))));
                }
            }
        }
        out.sort(Comparator.comparingLong(Snapshot::seq));
        return out;
    }

    /** Its log segments, lowest first seq first and, of two that start alike, the longer (a merge's result) first. */
    List<Segment> segments() throws IOException {
        Path log = dir.resolve(LOG);
        if (!Files.isDirectory(log)) {
            return List.of();
        }
        List<Segment> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(log)) {
            for (Path f : s.toList()) {
                Matcher m = SEGMENT.matcher(f.getFileName().toString());
                if (m.matches() && Files.isRegularFile(f)) {
                    long first = Long.parseLong(m.group(1));
                    long last = Long.parseLong(m.group(2));
                    if (first <= last) {
                        out.add(new Segment(f, first, last));
                    }
                }
            }
        }
        out.sort(Comparator.comparingLong(Segment::firstSeq).thenComparing(Comparator.comparingLong(Segment::lastSeq).reversed()));
        return out;
    }

    /** Where the blob {@code sha256} is kept; a name that is not a SHA-256 (a damaged log) is refused. */
    Path blobFile(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw TiyiException.invalid("'" + sha256 + "' is not a blob name (64 lowercase hex digits)");
        }
        return dir.resolve(BLOBS).resolve(sha256);
    }
}
