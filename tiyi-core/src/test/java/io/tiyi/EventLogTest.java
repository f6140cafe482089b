package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.events.AccessEvent;
import io.tiyi.events.EventLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
    @TempDir
    Path dir;

    static AccessEvent at(long ts, int status) {
        return new AccessEvent(ts, "r" + ts, "127.0.0.1", "127.0.0.1", "GET", "h", "/", status, 1, "s", "", -1, 1);
    }

    @Test
    void writesHourlyPartitionsAndQueriesAWindow() throws IOException {
        try (EventLog log = new EventLog(dir, () -> 14)) {
            long now = System.currentTimeMillis();
            log.offer(at(now - 3 * 3_600_000L, 200));
            log.offer(at(now - 60_000, 500));
            log.offer(at(now, 200));
            log.flush();
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.matches("access-\\d{10}\\.jsonl")).hasSizeBetween(2, 3);
            }
            assertThat(log.query("access", now - 600_000, n -> true, 100)).hasSize(2);
            assertThat(log.query("access", 0, n -> n.get("status").asInt() == 500, 100)).hasSize(1);
            assertThat(log.query("access", 0, n -> true, 1).get(0).get("ts").asLong()).isEqualTo(now);
            assertThat(log.query("access", 0, n -> true, 1).get(0).get("type").asText()).isEqualTo("access");
            assertThat(log.written()).isEqualTo(3);
        }
    }

    @Test
    void theSizeLimitDeletesTheOldestWholePartitionsButNeverTheCurrentHour() throws Exception {
        java.time.format.DateTimeFormatter hour = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(java.time.ZoneOffset.UTC);
        java.time.Instant now = java.time.Instant.now();
        String h3 = hour.format(now.minusSeconds(3 * 3600));
        String h2 = hour.format(now.minusSeconds(2 * 3600));
        String h1 = hour.format(now.minusSeconds(3600));
        String h0 = hour.format(now);
        Files.writeString(dir.resolve("access-" + h3 + ".jsonl"), "x".repeat(1000));
        Files.writeString(dir.resolve("security-" + h2 + ".jsonl"), "x".repeat(1000));
        Files.writeString(dir.resolve("access-" + h1 + ".jsonl"), "x".repeat(1000));
        Files.writeString(dir.resolve("access-" + h0 + ".jsonl"), "x".repeat(1000));
        try (EventLog log = new EventLog(dir, () -> 14, () -> 2500)) {
            log.enforceRetention();
        }
        assertThat(dir.resolve("access-" + h3 + ".jsonl")).doesNotExist();
        assertThat(dir.resolve("security-" + h2 + ".jsonl")).doesNotExist();
        assertThat(dir.resolve("access-" + h1 + ".jsonl")).exists();
        assertThat(dir.resolve("access-" + h0 + ".jsonl")).exists();
        try (EventLog log = new EventLog(dir, () -> 14, () -> 10)) {
            log.enforceRetention();
        }
        assertThat(dir.resolve("access-" + h1 + ".jsonl")).doesNotExist();
        assertThat(dir.resolve("access-" + h0 + ".jsonl")).as("the hour being written").exists();
    }

    @Test
    void retentionDeletesWholeOldPartitions() throws Exception {
        Files.writeString(dir.resolve("access-2020010100.jsonl"), "{}\n");
        Files.writeString(dir.resolve("security-2020010100.jsonl"), "{}\n");
        Files.writeString(dir.resolve("notes.txt"), "kept");
        try (EventLog log = new EventLog(dir, () -> 1)) {
            long now = System.currentTimeMillis();
            log.offer(at(now, 200));
            log.flush();
            java.lang.reflect.Method m = EventLog.class.getDeclaredMethod("enforceRetention");
            m.setAccessible(true);
            m.invoke(log);
        }
        assertThat(dir.resolve("access-2020010100.jsonl")).doesNotExist();
        assertThat(dir.resolve("security-2020010100.jsonl")).doesNotExist();
        assertThat(dir.resolve("notes.txt")).exists();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".jsonl"))).hasSize(1);
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() {
        try (EventLog log = new EventLog(dir.resolve("logs"), () -> 14)) {
            long start = System.nanoTime();
            int accepted = 0;
            for (int i = 0; i < 200_000; i++) {
                if (log.offer(at(System.currentTimeMillis(), 200))) {
                    accepted++;
                }
            }
            assertThat(accepted + log.dropped()).isEqualTo(200_000);
            assertThat(System.nanoTime() - start).isLessThan(30_000_000_000L);
        }
    }

    @Test
    void flushWaitsForRequestsInFlightAndPutsTheirEventsOnDisk() throws Exception {
        try (EventLog log = new EventLog(dir, () -> 14)) {
            long now = System.currentTimeMillis();
            // Requests still running on other threads: their events come after flush is called.
            java.util.List<Thread> requests = new java.util.ArrayList<>();
            for (int r = 0; r < 4; r++) {
                int id = r;
                log.requestStarted();
                Thread t = new Thread(() -> {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
                    for (int i = 0; i < 250; i++) {
                        log.offer(at(now - id * 1_000L - i, 200));
                    }
                    log.requestEnded();
                });
                requests.add(t);
                t.start();
            }
            log.flush();
            assertThat(log.written()).isEqualTo(1_000);
            assertThat(log.query("access", 0, n -> true, 2_000)).hasSize(1_000);
            for (Thread t : requests) {
                t.join();
            }
        }
    }

    @Test
    void anInterruptedFlushReturnsAndKeepsTheInterrupt() {
        try (EventLog log = new EventLog(dir, () -> 14)) {
            log.requestStarted();
            Thread.currentThread().interrupt();
            log.flush();
            assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
            log.requestEnded();
        }
    }
}
