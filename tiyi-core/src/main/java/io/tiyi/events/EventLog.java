package io.tiyi.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.internal.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's event log: {@code logs/<type>-YYYYMMDDHH.jsonl}, one file per type and UTC hour, one
 * JSON object per line.
 *
 * <p>JSON lines rather than SQLite: appends are a single buffered write from one thread, a file
 * is complete the moment its hour ends, retention is deleting whole files, and the files can be
 * read with {@code jq} or shipped by any log collector. Queries scan only the hours they ask for.
 *
 * <p>Request threads only {@link #offer} into a bounded queue; when it is full the event is
 * dropped and counted, never waited for. One thread writes; another deletes partitions older than
 * {@code logs.retention_days}.
 */
public final class EventLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC);
    static final int QUEUE = 65_536;
    private static final long HOUR_MS = 3_600_000L;
    private static final com.fasterxml.jackson.databind.ObjectWriter LINE = Json.MAPPER.writer();

    private final Path dir;
    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    /** Events taken into the queue, and those the writer has finished with (written or dropped): flush waits for the second to catch up. */
    private final AtomicLong queued = new AtomicLong();
    private long done;
    /** Requests whose events are still to come (see {@link #requestStarted}). */
    private long inFlight;
    private final Object doneLock = new Object();
    private final Thread writer;
    private final ScheduledExecutorService retention;
    private final IntSupplier retentionDays;
    private final java.util.function.LongSupplier maxBytes;
    private volatile boolean closed;
    /** Copied on every {@link #forwardTo}, which happens at start only, so {@link #offer} reads a plain array. */
    @SuppressWarnings("unchecked")
    private volatile java.util.function.Consumer<Event>[] forward = new java.util.function.Consumer[0];

    /**
     * @param dir the {@code logs/} directory
     * @param retentionDays days of partitions to keep, read at every retention pass
     */
    public EventLog(Path dir, IntSupplier retentionDays) {
        this(dir, retentionDays, () -> 0);
    }

    /**
     * @param dir the {@code logs/} directory
     * @param retentionDays days of partitions to keep, read at every retention pass
     * @param maxBytes the most the partitions may take together ({@code logs.max_bytes}); 0 for no limit
     */
    public EventLog(Path dir, IntSupplier retentionDays, java.util.function.LongSupplier maxBytes) {
        this.dir = dir;
        this.retentionDays = retentionDays;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new TiyiException("cannot create log directory " + dir + ": " + e.getMessage());
        }
        this.writer = new Thread(this::drain, "tiyi-event-writer");
        writer.setDaemon(true);
        writer.start();
        this.retention = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tiyi-log-retention");
            t.setDaemon(true);
            return t;
        });
        // Every five minutes: the size limit must hold under a flood, not an hour later.
        retention.scheduleWithFixedDelay(this::enforceRetention, 1, 300, TimeUnit.SECONDS);
    }

    public Path dir() {
        return dir;
    }

    /**
     * Also hands every event offered from now on to {@code sink} (the SIEM dispatcher, an agent's
     * event shipper), besides the sinks added before, on the offering thread: a sink must not
     * block, and is called even when the log's own queue is full.
     */
    public synchronized void forwardTo(java.util.function.Consumer<Event> sink) {
        java.util.function.Consumer<Event>[] next = java.util.Arrays.copyOf(forward, forward.length + 1);
        next[forward.length] = java.util.Objects.requireNonNull(sink);
        forward = next;
    }

    /** Queues an event without blocking; false (and counted) when the queue is full. */
    public boolean offer(Event e) {
        if (!closed) {
            for (java.util.function.Consumer<Event> f : forward) {
                f.accept(e);
            }
        }
        // Counted before it is queued: the writer may finish with it before offer returns.
        queued.incrementAndGet();
        if (closed || !queue.offer(e)) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    private void drain() {
        List<Event> batch = new ArrayList<>(1024);
        while (!closed || !queue.isEmpty()) {
            try {
                Event first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 4095);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("event log: cannot write to {}: {}; events are being dropped, check disk space", dir, e.toString());
                dropped.addAndGet(batch.size());
            } finally {
                synchronized (doneLock) {
                    done += batch.size();
                    doneLock.notifyAll();
                }
                batch.clear();
            }
        }
    }

    private void write(List<Event> batch) {
        String currentFile = null;
        BufferedWriter w = null;
        try {
            for (Event e : batch) {
                String file = e.type() + "-" + HOUR.format(Instant.ofEpochMilli(e.ts())) + ".jsonl";
                if (!file.equals(currentFile)) {
                    if (w != null) {
                        w.close();
                    }
                    w = Files.newBufferedWriter(dir.resolve(file), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    currentFile = file;
                }
                w.write(LINE.writeValueAsString(e));
                w.write('\n');
                written.incrementAndGet();
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } finally {
            if (w != null) {
                try {
                    w.close();
                } catch (IOException ex) {
                    LOG.warn("event log: closing {} failed: {}", currentFile, ex.toString());
                }
            }
        }
    }

    /**
     * A request began whose events will be offered when it completes, possibly after its client
     * already has the response; {@link #requestEnded} follows once they are offered.
     */
    public void requestStarted() {
        synchronized (doneLock) {
            inFlight++;
        }
    }

    /** The events of a request {@link #requestStarted started} have been offered. */
    public void requestEnded() {
        synchronized (doneLock) {
            inFlight--;
            doneLock.notifyAll();
        }
    }

    /**
     * Waits (at most five seconds) until the requests in flight have offered their events and
     * every event offered by then is on disk (tests, the conformance run, shutdown).
     */
    public void flush() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (doneLock) {
            long left;
            while (inFlight > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(doneLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        long target = queued.get();
        synchronized (doneLock) {
            long left;
            while (done < target && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(doneLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Deletes whole partitions: those older than {@code logs.retention_days}, then the oldest ones
     * while all together take more than {@code logs.max_bytes}. The current hour's partitions are
     * being written and are never deleted.
     */
    public void enforceRetention() {
        long cutoff = System.currentTimeMillis() - retentionDays.getAsInt() * 86_400_000L;
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
            long limit = maxBytes.getAsLong();
            if (limit > 0) {
                kept.sort(java.util.Comparator.comparing(EventLog::hourOf).thenComparing(Path::toString));
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
    private static String hourOf(Path f) {
        String name = f.getFileName().toString();
        int dash = name.lastIndexOf('-');
        if (dash < 0 || !name.endsWith(".jsonl")) {
            return null;
        }
        String hour = name.substring(dash + 1, name.length() - ".jsonl".length());
        return hour.length() == 10 && hour.chars().allMatch(Character::isDigit) ? hour : null;
    }

    /**
     * Reads events of one type between {@code since} and now, oldest first, keeping those that
     * pass {@code filter}, at most {@code limit} (the newest ones).
     */
    public List<JsonNode> query(String type, long since, Predicate<JsonNode> filter, int limit) {
        List<Path> files = new ArrayList<>();
        String from = HOUR.format(Instant.ofEpochMilli(since));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, type + "-*.jsonl")) {
            for (Path f : ds) {
                String hour = f.getFileName().toString().substring(type.length() + 1, type.length() + 11);
                if (hour.compareTo(from) >= 0) {
                    files.add(f);
                }
            }
        } catch (IOException e) {
            throw new TiyiException("cannot read " + dir + ": " + e.getMessage());
        }
        files.sort(null);
        java.util.ArrayDeque<JsonNode> out = new java.util.ArrayDeque<>();
        for (Path f : files) {
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode n;
                    try {
                        n = Json.MAPPER.readTree(line);
                    } catch (IOException e) {
                        continue;
                    }
                    if (n.path("ts").asLong() >= since && filter.test(n)) {
                        out.addLast(n);
                        if (out.size() > limit) {
                            out.pollFirst();
                        }
                    }
                }
            } catch (IOException e) {
                throw new TiyiException("cannot read " + f + ": " + e.getMessage());
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * Where an event sits in the log: its {@code ts} and its line (from 0) in its partition.
     *
     * <p>The writer files every event by its own ts, so the ts names the partition and (ts, line)
     * names one event. Lines are only ever appended, so a position never moves: it orders events
     * newest first by ts and, among equal ts, by when they were appended, and stays valid as a
     * paging cursor while the log grows.
     *
     * @param ts the event's ts, ms
     * @param line its line in the partition of that ts's hour, counting every line
     */
    public record Position(long ts, long line) implements Comparable<Position> {
        @Override
        public int compareTo(Position o) {
            int c = Long.compare(ts, o.ts);
            return c != 0 ? c : Long.compare(line, o.line);
        }
    }

    /**
     * One page of a {@link #search}.
     *
     * @param events the matching events, newest first
     * @param next the position of the last of them when older matching events exist, else null
     */
    public record Page(List<JsonNode> events, Position next) {
        public Page {
            events = List.copyOf(events);
        }
    }

    /**
     * The newest {@code limit} events of one type with {@code from <= ts <= until} that pass
     * {@code filter} and sit before {@code before} (null for the newest), newest first.
     *
     * <p>Opens only the partitions of the hours the window overlaps, newest first, and stops at
     * the first partition after which {@code limit + 1} matches are held: every event of an older
     * partition is older than all of them. Never holds more than {@code limit + 1} events.
     */
    public Page search(String type, long from, long until, Predicate<JsonNode> filter, Position before, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        long newest = before == null ? until : Math.min(until, before.ts());
        // A min-heap of the newest matches so far: its head is the one to drop when a newer one comes.
        java.util.PriorityQueue<Hit> kept = new java.util.PriorityQueue<>(limit + 2);
        List<Partition> parts = partitions(type, from, newest);
        for (int i = parts.size() - 1; i >= 0 && kept.size() <= limit; i--) {
            read(parts.get(i), from, newest, (n, pos) -> {
                if (before != null && pos.compareTo(before) >= 0) {
                    return;
                }
                if (kept.size() > limit && pos.compareTo(kept.peek().pos()) <= 0) {
                    return;
                }
                if (filter.test(n)) {
                    kept.add(new Hit(pos, n));
                    if (kept.size() > limit + 1) {
                        kept.poll();
                    }
                }
            });
        }
        List<Hit> hits = new ArrayList<>(kept);
        hits.sort(java.util.Collections.reverseOrder());
        Position next = null;
        if (hits.size() > limit) {
            hits.remove(limit);
            next = hits.get(limit - 1).pos();
        }
        List<JsonNode> events = new ArrayList<>(hits.size());
        for (Hit h : hits) {
            events.add(h.event());
        }
        return new Page(events, next);
    }

    /**
     * Hands every event of one type with {@code from <= ts <= until} to {@code sink}, partition
     * by partition oldest first, holding none of them: for aggregates over long windows.
     */
    public void scan(String type, long from, long until, java.util.function.Consumer<JsonNode> sink) {
        for (Partition p : partitions(type, from, until)) {
            read(p, from, until, (n, pos) -> sink.accept(n));
        }
    }

    private record Hit(Position pos, JsonNode event) implements Comparable<Hit> {
        @Override
        public int compareTo(Hit o) {
            return pos.compareTo(o.pos);
        }
    }

    private record Partition(Path file, long hourStart) {}

    /** The partitions of {@code type} whose hour overlaps [from, until], oldest first. */
    private List<Partition> partitions(String type, long from, long until) {
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
    private static long hourStart(String hour) {
        try {
            return java.time.LocalDateTime.of(Integer.parseInt(hour.substring(0, 4)), Integer.parseInt(hour.substring(4, 6)),
                    Integer.parseInt(hour.substring(6, 8)), Integer.parseInt(hour.substring(8, 10)), 0).toEpochSecond(ZoneOffset.UTC) * 1000;
        } catch (java.time.DateTimeException e) {
            return Long.MIN_VALUE;
        }
    }

    @FunctionalInterface
    private interface LineSink {
        void accept(JsonNode event, Position pos);
    }

    /**
     * Reads one partition, handing on each event with {@code from <= ts <= until}. Every line is
     * counted, blank or torn ones too, so an event's line number is the same at every read.
     */
    private static void read(Partition p, long from, long until, LineSink sink) {
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
                sink.accept(n, new Position(ts, line));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // Retention deleted it since it was listed: its events are gone either way.
        } catch (IOException e) {
            throw new TiyiException("cannot read " + p.file() + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        retention.shutdownNow();
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
