package io.tiyi.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition files of {@code logs/}: one JSON-lines file per event type and UTC hour
 * ({@code security-2026120621.jsonl}), how they are listed and read, and retention, which deletes
 * them whole.
 */
final class LogPartitions {
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC);
    static final long HOUR_MS = 3_600_000L;

    private LogPartitions() {}

    /**
     * Deletes whole partitions: those older than {@code retentionDays}, then the oldest ones while
     * all together take more than {@code limit} bytes (0: no limit). The current hour's partitions
     * are being written and are never deleted.
     */
    static void enforceRetention(Path dir, int retentionDays, long limit) {
        long cutoff = System.currentTimeMillis() - retentionDays * 86_400_000L;
        String oldest = HOUR.format(Instant.ofEpochMilli(cutoff));
        String current = HOUR.format(Instant.now());
        List<Path> kept = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jsonl")) {
            for (Path f : files) {
                String hour = hourOf(f);
                if (hour == null) {
                    continue;
                }
                if (hour.compareTo(oldest) < 0) {
                    Files.deleteIfExists(f);
                } else {
                    kept.add(f);
                }
            }
            if (limit > 0) {
                kept.sort(java.util.Comparator.comparing(LogPartitions::hourOf).thenComparing(Path::toString));
                long total = 0;
                for (Path f : kept) {
                    total += Files.size(f);
                }
                for (Path f : kept) {
                    if (total <= limit || hourOf(f).compareTo(current) >= 0) {
                        break;
                    }
                    long size = Files.size(f);
                    Files.deleteIfExists(f);
                    total -= size;
                    LOG.debug("event log: deleted {} ({} bytes) to stay under logs.max_bytes", f.getFileName(), size);
                }
                if (total > limit) {
                    LOG.warn("event log: {} takes {} bytes, over logs.max_bytes {}, in this hour's partitions alone; raise logs.max_bytes"
                            + " or lower the event rate", dir, total, limit);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Caught whole: an exception escaping a scheduled task would cancel retention for good.
            LOG.warn("event log: retention pass over {} failed: {}; retrying in 5 minutes", dir, e.toString());
        }
    }

    /** The hour of a partition file, {@code yyyyMMddHH}, or null for another file. */
    static String hourOf(Path f) {
        String name = f.getFileName().toString();
        int dash = name.lastIndexOf('-');
        if (dash < 0 || !name.endsWith(".jsonl")) {
            return null;
        }
        String hour = name.substring(dash + 1, name.length() - ".jsonl".length());
        return hour.length() == 10 && hour.chars().allMatch(Character::isDigit) ? hour : null;
    }

    record Partition(Path file, long hourStart) {}

    /** The partitions of {@code type} whose hour overlaps [from, until], oldest first. */
    static List<Partition> list(Path dir, String type, long from, long until) {
        List<Partition> out = new ArrayList<>();
        if (from > until) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, type + "-*.jsonl")) {
            for (Path f : ds) {
                String hour = hourOf(f);
                // The glob alone would also take another type whose name starts with this one and a dash.
                if (hour == null || !f.getFileName().toString().equals(type + "-" + hour + ".jsonl")) {
                    continue;
                }
                long start = hourStart(hour);
                if (start != Long.MIN_VALUE && start <= until && start + HOUR_MS > from) {
                    out.add(new Partition(f, start));
                }
            }
        } catch (IOException e) {
            throw new TiyiException("cannot read " + dir + ": " + e.getMessage());
        }
        out.sort(java.util.Comparator.comparingLong(Partition::hourStart));
        return out;
    }

    /** Epoch ms of a {@code yyyyMMddHH} hour, or {@link Long#MIN_VALUE} for a name that is no real hour. */
    static long hourStart(String hour) {
        try {
            return java.time.LocalDateTime.of(Integer.parseInt(hour.substring(0, 4)), Integer.parseInt(hour.substring(4, 6)),
                    Integer.parseInt(hour.substring(6, 8)), Integer.parseInt(hour.substring(8, 10)), 0).toEpochSecond(ZoneOffset.UTC) * 1000;
        } catch (java.time.DateTimeException e) {
            return Long.MIN_VALUE;
        }
    }

    @FunctionalInterface
    interface LineSink {
        void accept(JsonNode event, EventLog.Position pos);
    }

    /**
     * Reads one partition, handing on each event with {@code from <= ts <= until}. Every line is
     * counted, blank or torn ones too, so an event's line number is the same at every read.
     */
    static void read(Partition p, long from, long until, LineSink sink) {
        try (BufferedReader r = Files.newBufferedReader(p.file(), StandardCharsets.UTF_8)) {
            long line = -1;
            String s;
            while ((s = r.readLine()) != null) {
                line++;
                if (s.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = Json.MAPPER.readTree(s);
                } catch (IOException e) {
                    // The last line may still be half written; the next read sees it whole.
                    continue;
                }
                JsonNode t = n == null ? null : n.get("ts");
                if (t == null || !t.isIntegralNumber()) {
                    continue;
                }
                long ts = t.asLong();
                // An event outside its partition's hour was not written by this log; taking it would
                // break both the uniqueness of (ts, line) and the newest-first early stop.
                if (ts < p.hourStart() || ts >= p.hourStart() + HOUR_MS || ts < from || ts > until) {
                    continue;
                }
                sink.accept(n, new EventLog.Position(ts, line));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // Retention deleted it since it was listed: its events are gone either way.
        } catch (IOException e) {
            throw new TiyiException("cannot read " + p.file() + ": " + e.getMessage());
        }
    }

}
