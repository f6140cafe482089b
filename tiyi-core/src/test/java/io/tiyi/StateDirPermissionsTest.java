package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tiyi.internal.PrivateFiles;
import io.tiyi.testsupport.TestNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A node's state directory and everything it writes there are its user's alone, and a loosened one is made so at start. */
class StateDirPermissionsTest {
    @TempDir
    Path root;
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    final Logger logger = (Logger) LoggerFactory.getLogger(PrivateFiles.class);

    @BeforeEach
    void setUp() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(logged);
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    List<String> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Starts a node on {@code state}, changes something (an audit event in logs/) and stops it. */
    private void runNode(Path state, String site) {
        try (TiyiNode node = TiyiNode.builder().config(TestNodes.config(state)).build().start()) {
            node.client().raw("SitesService", "Create", Map.of("name", site, "hosts", List.of(site + ".example.com"), "upstreams",
                    List.of("http://127.0.0.1:9")));
            node.events().flush();
        }
    }

    @Test
    void aNewStateDirectoryHoldsOnlyPrivateDirectoriesAndFiles() throws IOException {
        Path state = root.resolve("state");
        runNode(state, "shop");

        assertThat(state.resolve("state.db")).exists();
        assertThat(state.resolve("kek.bin")).exists();
        try (Stream<Path> logs = Files.list(state.resolve("logs"))) {
            assertThat(logs.filter(p -> p.getFileName().toString().endsWith(".jsonl")).toList()).as("the audit partition").isNotEmpty();
        }
        try (Stream<Path> all = Files.walk(state)) {
            for (Path p : all.toList()) {
                assertThat(mode(p)).as(p.toString()).isEqualTo(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------");
            }
        }
        assertThat(warnings()).noneMatch(w -> w.contains("was open to group or others"));
    }

    @Test
    void aLoosenedStateDirectoryIsMadePrivateAtStartWithAWarningPerPath() throws IOException {
        Path state = root.resolve("state");
        runNode(state, "shop");
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(state.resolve("state.db"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(state.resolve("logs"), PosixFilePermissions.fromString("rwxr-xr-x"));
        logged.list.clear();

        runNode(state, "blog");

        assertThat(mode(state)).isEqualTo("rwx------");
        assertThat(mode(state.resolve("state.db"))).isEqualTo("rw-------");
        assertThat(mode(state.resolve("logs"))).isEqualTo("rwx------");
        assertThat(warnings()).filteredOn(w -> w.contains("was open to group or others")).containsExactlyInAnyOrder(
                "state directory: " + state + " was open to group or others (mode 0755 (rwxr-xr-x)); changed it to 0700 (rwx------)"
                        + " so only the user Tiyi runs as can reach it",
                "state directory: " + state.resolve("state.db") + " was open to group or others (mode 0644 (rw-r--r--)); changed it to"
                        + " 0600 (rw-------) so only the user Tiyi runs as can reach it",
                "state directory: " + state.resolve("logs") + " was open to group or others (mode 0755 (rwxr-xr-x)); changed it to"
                        + " 0700 (rwx------) so only the user Tiyi runs as can reach it");
    }
}
