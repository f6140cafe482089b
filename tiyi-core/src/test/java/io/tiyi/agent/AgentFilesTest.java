package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentFilesTest {
    @TempDir
    Path dir;

    /** A role change and the agent's own follow-up write the same file from two instances at once (a promotion). */
    @Test
    void concurrentWritersOfOneFileEachLeaveACompleteFileAndNoTemporaryOnes() throws Exception {
        AgentFiles a = new AgentFiles(dir);
        AgentFiles b = new AgentFiles(dir);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (AgentFiles files : List.of(a, b, a, b)) {
            writers.add(CompletableFuture.runAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (int i = 0; i < 200; i++) {
                    files.pin(new AgentFiles.Pin(new byte[] {(byte) i}, "ed25519:" + i, i));
                }
            }));
        }
        go.countDown();
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get();

        assertThat(a.pin()).get().satisfies(p -> assertThat(p.highestEpoch()).isEqualTo(199));
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("pin.json");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("pin.json")))).isEqualTo("rw-------");
    }

    @Test
    void aTemporaryFileLeftByACrashIsRemovedAtTheNextStartButAFreshOneIsNot() throws Exception {
        Path stale = Files.writeString(dir.resolve(".agent.json.1234.tmp"), "half");
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        Path fresh = Files.writeString(dir.resolve(".pin.json.5678.tmp"), "being written");
        new AgentFiles(dir);
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
    }
}
