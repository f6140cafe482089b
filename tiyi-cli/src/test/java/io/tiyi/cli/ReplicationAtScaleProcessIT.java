package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication and seeding at a real deployment's size, with the real launchers ({@code bin/tiyi
 * server} and {@code bin/tiyi secondary}) and the heap they choose by default, 512 MiB.
 *
 * <p>The primary's {@code state.db} is brought to about 500 MB before any secondary exists: the
 * primary starts once, stops, and {@link ReleaseHistory} writes ten earlier releases of 46 MiB
 * each into it offline, which is what a deployment's {@code state.db} grows with. Ten imports
 * through the API would store the same rows but take about a minute more; the build's own release
 * tarball is then imported through {@code tiyi release import}, the way an operator does it.
 *
 * <p>Secondary B is seeded from the filled primary; the release is imported while B replicates,
 * so B fetches its 46 MB artifact by range, and must reach lag 0 within 60 s of the next change.
 * Secondary C is then seeded from the primary holding that release and must start. Each JVM writes
 * a GC log; the figures (sizes, times, peak heap after a collection) are printed.
 */
class ReplicationAtScaleProcessIT {
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final int HISTORY_RELEASES = 10;
    private static final int HISTORY_ARTIFACT_MIB = 46;

    @TempDir
    Path dir;

    @Test
    void aHalfGigabyteStateAndTheBuildsReleaseSeedAndReplicateUnderTheDefaultHeap() throws Exception {
        Path tarball = buildTarball();
        String version = tarball.getFileName().toString().replaceAll("^tiyi-(.*)\\.tar\\.gz$", "$1");
        Path aState = dir.resolve("a");
        String aAddr = "127.0.0.1:" + AgentProcessIT.freePort();
        String[] server = {"server", "--addr", aAddr, "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--state-dir",
                aState.toString()};

        try (TiyiProcess first = TiyiProcess.launch(Map.of(), dir.resolve("gc-a-first.log"), server)) {
            first.awaitReady(PATIENCE);
            assertThat(first.terminate()).as(first.output()).isZero();
        }
        long t0 = System.nanoTime();
        ReleaseHistory.write(aState.resolve("state.db"), HISTORY_RELEASES, HISTORY_ARTIFACT_MIB);
        long filledMs = millisSince(t0);

        TiyiProcess a = TiyiProcess.launch(Map.of(), dir.resolve("gc-a.log"), server);
        TiyiProcess b = null;
        TiyiProcess c = null;
        try {
            String aUrl = a.awaitReady(PATIENCE);
            Map<String, String> envA = FailoverProcessIT.env(aState, aUrl);
            long stateBeforeImport = Files.size(aState.resolve("state.db"));

            Path bState = dir.resolve("b");
            t0 = System.nanoTime();
            b = secondary(envA, aState, aUrl, bState, "b");
            String bUrl = b.awaitReady(PATIENCE);
            long seedBMs = millisSince(t0);
            Map<String, String> envB = FailoverProcessIT.env(bState, bUrl);

            t0 = System.nanoTime();
            AgentProcessIT.cli(envA, "release", "import", "--tarball", tarball.toString());
            long importMs = millisSince(t0);
            AgentProcessIT.cli(envA, "system", "settings", "update", "--key", "logs.retention_days", "--value", "11");
            long mutated = System.nanoTime();
            long aSeq = FailoverProcessIT.status(envA).get("last_seq").asLong();
            awaitCaughtUp(envB, aSeq, Duration.ofSeconds(60), "B reaches lag 0 within 60 s of the change after the import");
            long catchUpMs = millisSince(mutated);
            assertThat(AgentProcessIT.cli(envB, "release", "list").output()).contains(version);

            long stateWithRelease = Files.size(aState.resolve("state.db"));
            Path cState = dir.resolve("c");
            t0 = System.nanoTime();
            c = secondary(envA, aState, aUrl, cState, "c");
            String cUrl = c.awaitReady(PATIENCE);
            long seedCMs = millisSince(t0);
            Map<String, String> envC = FailoverProcessIT.env(cState, cUrl);
            awaitCaughtUp(envC, FailoverProcessIT.status(envA).get("last_seq").asLong(), Duration.ofSeconds(60), "C reaches lag 0");
            assertThat(AgentProcessIT.cli(envC, "release", "list").output()).contains(version);
            assertThat(Files.size(cState.resolve("state.db"))).isGreaterThanOrEqualTo(500_000_000L);

            for (TiyiProcess p : List.of(a, b, c)) {
                assertThat(p.process.isAlive()).as(p.output()).isTrue();
                assertThat(p.output()).doesNotContain("OutOfMemoryError");
            }
            GcLog gcA = GcLog.read(dir.resolve("gc-a.log"));
            GcLog gcB = GcLog.read(dir.resolve("gc-b.log"));
            GcLog gcC = GcLog.read(dir.resolve("gc-c.log"));
            System.out.printf("replication at scale (processes): history of %d x %d MiB written into state.db in %d ms; state.db %d MB,"
                    + " %d MB with release %s (tarball %d MB, imported in %d ms)%n", HISTORY_RELEASES, HISTORY_ARTIFACT_MIB, filledMs,
                    stateBeforeImport / 1_000_000, stateWithRelease / 1_000_000, version, Files.size(tarball) / 1_000_000, importMs);
            System.out.printf("replication at scale (processes): B seeded and ready in %d ms; B at lag 0 %d ms after the next change;"
                    + " C seeded from the primary holding the release and ready in %d ms%n", seedBMs, catchUpMs, seedCMs);
            System.out.println("replication at scale (processes): primary A: " + gcA);
            System.out.println("replication at scale (processes): secondary B: " + gcB);
            System.out.println("replication at scale (processes): secondary C: " + gcC);
            for (GcLog g : List.of(gcA, gcB, gcC)) {
                assertThat(g.maxCapacityMiB()).as("the launcher's default heap limit").isEqualTo(512);
            }
            // What a node keeps alive must not grow with state.db: a secondary holds a range or a blob chunk at a time, and the
            // primary, besides ranges, one release upload (the tarball base64, decoded, and its artifact).
            assertThat(gcB.peakAfterGcMiB()).as("secondary B's peak heap after a collection, MiB").isLessThan(128);
            assertThat(gcC.peakAfterGcMiB()).as("secondary C's peak heap after a collection, MiB").isLessThan(128);
            assertThat(gcA.peakAfterGcMiB()).as("primary A's peak heap after a collection, MiB").isLessThan(384);
        } finally {
            for (TiyiProcess p : Stream.of(c, b, a).filter(java.util.Objects::nonNull).toList()) {
                p.close();
            }
        }
    }

    /** The release tarball the build's package phase wrote next to the jar. */
    private static Path buildTarball() throws Exception {
        try (Stream<Path> files = Files.list(TiyiProcess.jar().getParent())) {
            Path t = files.filter(f -> f.getFileName().toString().matches("tiyi-\\d.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no tiyi-<version>.tar.gz next to " + TiyiProcess.jar() + ": run the package phase"));
            assertThat(Files.size(t)).as("the build's release tarball").isGreaterThan(40_000_000L);
            return t;
        }
    }

    /** Starts {@code bin/tiyi secondary} seeded from the primary, with its KEK copied as the guide says. */
    private TiyiProcess secondary(Map<String, String> envA, Path aState, String aUrl, Path state, String name) throws Exception {
        String token = AgentProcessIT.json(envA, "agents", "issue-token", "--tag", "secondary").get("token").asText();
        Files.createDirectories(state);
        Files.copy(aState.resolve("kek.bin"), state.resolve("kek.bin"), StandardCopyOption.COPY_ATTRIBUTES);
        return TiyiProcess.launch(Map.of(), dir.resolve("gc-" + name + ".log"), "secondary", "--primary-api", aUrl, "--enrollment-token",
                token, "--addr", "127.0.0.1:" + AgentProcessIT.freePort(), "--state-dir", state.toString(), "--http-addr", "127.0.0.1:0",
                "--https-addr", "127.0.0.1:0");
    }

    private static void awaitCaughtUp(Map<String, String> env, long seq, Duration within, String what) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = FailoverProcessIT.status(env);
                if (last.get("last_seq").asLong() >= seq && last.get("lag").asLong() == 0) {
                    return;
                }
            } catch (AssertionError e) {
                // The CLI could not reach the node yet.
            }
            Thread.sleep(200);
        }
        throw new AssertionError("never: " + what + "; last status " + last);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
