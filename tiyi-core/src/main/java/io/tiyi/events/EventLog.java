package io.tiyi.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiException;
import io.tiyi.internal.Json;
import io.tiyi.internal.PrivateFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
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
    private static final DateTimeFormatter HOUR = LogPartitions.HOUR;
    static final int QUEUE = 65_536;
    /** Below this many events a batch is small, and the writer waits {@link #GATHER_NANOS} for more. */
    private static final int GATHER = 256;
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final com.fasterxml.jackson.databind.ObjectWriter LINE = Json.MAPPER.writer();

    private final Path dir;
    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    /** Events taken into the queue, and those the writer has finished with (written or dropped): flush waits for the second to catch up. */
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    /**
     * Requests whose events are still to come (see {@link #requestStarted}). Every request counts
     * itself in and out, on the I/O threads: an atomic counter, not a lock they would contend for;
     * {@link #flush}, which runs in tests and at shutdown, polls both counters instead of waiting
     * to be told.
     */
    private final AtomicLong inFlight = new AtomicLong();
    /** How often {@link #flush} looks at the counters. */
    private static final long FLUSH_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private final Thread writer;
    /** The writer thread's files. */
    private final OpenFiles files = new OpenFiles();
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
            PrivateFiles.createDirectories(dir);
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
            int taken = 0;
            try {
                Event first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    // Idle: let go of the files, so that nothing is held open between bursts.
                    files.closeAll();
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 4095);
                taken = batch.size();
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("event log: cannot write to {}: {}; events are being dropped, check disk space", dir, e.toString());
                files.closeAll();
                dropped.addAndGet(batch.size());
            } finally {
                done.addAndGet(batch.size());
                batch.clear();
            }
            if (taken > 0 && taken < GATHER && !closed) {
                // A small batch: let events gather a moment rather than have every request wake
                // the writer (a thread switch each); under load the batches grow and it never waits.
                java.util.concurrent.locks.LockSupport.parkNanos(GATHER_NANOS);
            }
        }
        files.closeAll();
    }

    /**
     * Writes a batch: its lines are encoded into one buffer per partition and each buffer goes to
     * its file in one write, on files kept open while events keep coming.
     */
    private void write(List<Event> batch) {
        try {
            for (Event e : batch) {
                StringBuilder lines = files.linesFor(e);
                if (!EventJson.append(e, lines)) {
                    lines.append(LINE.writeValueAsString(e));
                }
                lines.append('\n');
            }
            files.writePending();
            written.addAndGet(batch.size());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * The partitions the writer has open, and the lines of the batch being written to each. Only
     * the writer thread uses it. A file stays open until the writer is idle, or until an event of a
     * later hour arrives: retention never deletes the current hour's partitions, so a file open
     * for the current hour is never one that was deleted.
     */
    private final class OpenFiles {
        /** One partition: its file name and its hour (ms since the epoch / one hour). */
        private record Partition(String file, long hour) {}

        private final java.util.Map<Partition, java.nio.channels.FileChannel> open = new java.util.HashMap<>();
        private final java.util.Map<Partition, StringBuilder> pending = new java.util.HashMap<>();
        /** The partition of the last event, kept: consecutive events nearly always share it. */
        private Partition last;
        private String lastType;
        private long newestHour = Long.MIN_VALUE;

        StringBuilder linesFor(Event e) {
            long hour = Math.floorDiv(e.ts(), LogPartitions.HOUR_MS);
            if (last == null || hour != last.hour() || !e.type().equals(lastType)) {
                lastType = e.type();
                last = new Partition(lastType + "-" + HOUR.format(Instant.ofEpochMilli(e.ts())) + ".jsonl", hour);
                if (hour > newestHour) {
                    newestHour = hour;
                    // A new hour began: the files of the past ones are done.
                    open.entrySet().removeIf(f -> f.getKey().hour() < hour && close(f.getKey(), f.getValue()));
                    pending.entrySet().removeIf(p -> p.getKey().hour() < hour && p.getValue().length() == 0);
                }
            }
            return pending.computeIfAbsent(last, f -> new StringBuilder(4096));
        }

        void writePending() throws IOException {
            try {
                for (java.util.Map.Entry<Partition, StringBuilder> p : pending.entrySet()) {
                    if (p.getValue().length() == 0) {
                        continue;
                    }
                    java.nio.channels.FileChannel ch = open.get(p.getKey());
                    if (ch == null) {
                        // 0600 from creation: partitions hold client addresses, paths and query strings.
                        ch = PrivateFiles.newFileChannel(dir.resolve(p.getKey().file()), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                                StandardOpenOption.APPEND);
                        open.put(p.getKey(), ch);
                    }
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(p.getValue().toString().getBytes(StandardCharsets.UTF_8));
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            } finally {
                // The buffers are kept for the next batch, unless one grew unusually large.
                pending.values().removeIf(b -> {
                    b.setLength(0);
                    return b.capacity() > 1 << 20;
                });
            }
        }

        void closeAll() {
            open.forEach(this::close);
            open.clear();
            pending.clear();
            last = null;
            newestHour = Long.MIN_VALUE;
        }

        private boolean close(Partition p, java.nio.channels.FileChannel ch) {
            try {
                ch.close();
            } catch (IOException ex) {
                LOG.warn("event log: closing {} failed: {}", p.file(), ex.toString());
            }
            return true;
        }
    }

    /**
     * A request began whose events will be offered when it completes, possibly after its client
     * already has the response; {@link #requestEnded} follows once they are offered.
     */
    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    /** The events of a request {@link #requestStarted started} have been offered. */
    public void requestEnded() {
        inFlight.decrementAndGet();
    }

    /**
     * Waits (at most five seconds) until the requests in flight have offered their events and
     * every event offered by then is on disk (tests, the conformance run, shutdown).
     */
    public void flush() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        if (!await(() -> inFlight.get() <= 0, deadline)) {
            return;
        }
        long target = queued.get();
        await(() -> done.get() >= target, deadline);
    }

    /** Polls {@code reached} until it holds (true) or the deadline passes or the thread is interrupted (false). */
    private static boolean await(java.util.function.BooleanSupplier reached, long deadline) {
        while (!reached.getAsBoolean()) {
            if (deadline - System.nanoTime() <= 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(FLUSH_POLL_NANOS);
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Deletes whole partitions: those older than {@code logs.retention_days}, then the oldest ones
     * while all together take more than {@code logs.max_bytes}. The current hour's partitions are
     * being written and are never deleted.
     */
    public void enforceRetention() {
        LogPartitions.enforceRetention(dir, retentionDays.getAsInt(), maxBytes.getAsLong());
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
        List<LogPartitions.Partition> parts = LogPartitions.list(dir, type, from, newest);
        for (int i = parts.size() - 1; i >= 0 && kept.size() <= limit; i--) {
            LogPartitions.read(parts.get(i), from, newest, (n, pos) -> {
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
        for (LogPartitions.Partition p : LogPartitions.list(dir, type, from, until)) {
            LogPartitions.read(p, from, until, (n, pos) -> sink.accept(n));
        }
    }

    private record Hit(Position pos, JsonNode event) implements Comparable<Hit> {
        @Override
        public int compareTo(Hit o) {
            return pos.compareTo(o.pos);
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
