package io.tiyi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class PrivateFilesTest {
    @TempDir
    Path tmp;

    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    final Logger logger = (Logger) LoggerFactory.getLogger(PrivateFiles.class);

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    List<String> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void createsEveryMissingDirectory0700AndLeavesAnExistingOneAlone() throws IOException {
        Path open = Files.createDirectory(tmp.resolve("open"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        PrivateFiles.createDirectories(open.resolve("a/b"));
        assertThat(mode(open.resolve("a"))).isEqualTo("rwx------");
        assertThat(mode(open.resolve("a/b"))).isEqualTo("rwx------");
        assertThat(mode(open)).isEqualTo("rwxr-xr-x");
        PrivateFiles.createDirectories(open.resolve("a/b"));
        assertThat(warnings()).isEmpty();
    }

    @Test
    void createsFiles0600() throws IOException {
        PrivateFiles.createFile(tmp.resolve("empty"));
        PrivateFiles.write(tmp.resolve("written"), new byte[] {1});
        try (OutputStream out = PrivateFiles.newOutputStream(tmp.resolve("appended"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            out.write('x');
        }
        assertThat(List.of(mode(tmp.resolve("empty")), mode(tmp.resolve("written")), mode(tmp.resolve("appended"))))
                .containsOnly("rw-------");
    }

    @Test
    void secureTakesGroupAndOthersAwayWithAWarningPerPathKeepingTheOwnersBits() throws IOException {
        Path root = tmp.resolve("state");
        Files.createDirectory(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path db = Files.writeString(root.resolve("state.db"), "x");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        Path logs = Files.createDirectory(root.resolve("logs"));
        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxr-x---"));
        Path tool = Files.writeString(logs.resolve("run.sh"), "x");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path already = Files.writeString(root.resolve("kek.bin"), "x");
        Files.setPosixFilePermissions(already, PosixFilePermissions.fromString("rw-------"));
        Path crs = Files.createDirectory(root.resolve("crs"));
        Files.setPosixFilePermissions(crs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rule = Files.writeString(crs.resolve("REQUEST-901.conf"), "x");
        Files.setPosixFilePermissions(rule, PosixFilePermissions.fromString("rw-r--r--"));
        Path outside = Files.writeString(tmp.resolve("outside"), "x");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(root.resolve("link"), outside);

        PrivateFiles.secure(root, "state directory", Path.of("crs"));

        assertThat(mode(root)).isEqualTo("rwx------");
        assertThat(mode(db)).isEqualTo("rw-------");
        assertThat(mode(logs)).isEqualTo("rwx------");
        assertThat(mode(tool)).isEqualTo("rwx------");
        assertThat(mode(already)).isEqualTo("rw-------");
        assertThat(mode(crs)).as("crs/ keeps its install modes").isEqualTo("rwxr-xr-x");
        assertThat(mode(rule)).isEqualTo("rw-r--r--");
        assertThat(mode(outside)).as("links are not followed").isEqualTo("rw-r--r--");
        assertThat(warnings()).containsExactlyInAnyOrder(
                "state directory: " + root + " was open to group or others (mode 0755 (rwxr-xr-x)); changed it to 0700 (rwx------)"
                        + " so only the user Tiyi runs as can reach it",
                "state directory: " + db + " was open to group or others (mode 0644 (rw-r--r--)); changed it to 0600 (rw-------)"
                        + " so only the user Tiyi runs as can reach it",
                "state directory: " + logs + " was open to group or others (mode 0750 (rwxr-x---)); changed it to 0700 (rwx------)"
                        + " so only the user Tiyi runs as can reach it",
                "state directory: " + tool + " was open to group or others (mode 0777 (rwxrwxrwx)); changed it to 0700 (rwx------)"
                        + " so only the user Tiyi runs as can reach it");

        logged.list.clear();
        PrivateFiles.secure(root, "state directory", Path.of("crs"));
        assertThat(warnings()).as("a private directory is checked silently").isEmpty();
    }

    @Test
    void manyLoosePathsAreNamedUpToALimitAndTheRestCounted() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("logs"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        for (int i = 0; i < PrivateFiles.WARNINGS + 5; i++) {
            Path f = Files.writeString(root.resolve("access-" + i + ".jsonl"), "{}");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
        PrivateFiles.secure(root, "agent state directory");
        assertThat(warnings()).hasSize(PrivateFiles.WARNINGS + 1).last().asString()
                .isEqualTo("agent state directory " + root + ": 5 more paths were open to group or others and are now private;"
                        + " check what put them there");
        try (var files = Files.list(root)) {
            assertThat(files.toList()).allSatisfy(f -> assertThat(mode(f)).isEqualTo("rw-------"));
        }
    }

    @Test
    void aMissingRootIsNothingToCheck() {
        PrivateFiles.secure(tmp.resolve("not-yet"), "state directory");
        assertThat(warnings()).isEmpty();
    }
}
