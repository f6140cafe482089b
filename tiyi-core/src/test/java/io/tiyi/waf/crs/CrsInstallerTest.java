package io.tiyi.waf.crs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.tiyi.TiyiException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrsInstallerTest {
    @TempDir
    Path tmp;

    private CrsInstaller installer(List<String> steps) {
        return new CrsInstaller(tmp.resolve("state/crs"), new io.tiyi.ProgressListener() {
            @Override
            public void step(String what, Unit unit) {
                steps.add(what);
            }

            @Override
            public void advance(long done, long total) {}
        });
    }

    @Test
    void aReleaseTarballIsInstalledUnderItsVersion() throws IOException {
        Path tarball = CrsFixtures.releaseTarball(Files.createDirectories(tmp.resolve("dl")));
        List<String> steps = new ArrayList<>();
        CrsLayout l = installer(steps).install(tarball.toString(), Optional.empty());
        assertThat(l.dir()).isEqualTo(tmp.resolve("state/crs").resolve(CrsFixtures.sharedVersion()));
        assertThat(l.version()).isEqualTo(CrsFixtures.sharedVersion());
        assertThat(l.ruleFileCount()).isEqualTo(CrsLayout.of(CrsFixtures.shared()).ruleFileCount());
        assertThat(l.dir().resolve("LICENSE")).exists();
        assertThat(steps).anyMatch(s -> s.startsWith("unpacking")).anyMatch(s -> s.startsWith("installing CRS"));
        // Nothing but the version directory is left behind.
        try (Stream<Path> s = Files.list(tmp.resolve("state/crs"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly(CrsFixtures.sharedVersion());
        }
        // Installing again replaces it whole.
        Files.writeString(l.dir().resolve("rules/stray.conf"), "# not from the release\n");
        CrsLayout again = installer(steps).install(tarball.toString(), Optional.empty());
        assertThat(again.dir().resolve("rules/stray.conf")).doesNotExist();
    }

    @Test
    void aDirectoryAndTheChecksumOfALocalTarballWork() throws IOException {
        CrsLayout fromDir = installer(new ArrayList<>()).install(CrsFixtures.shared().toString(), Optional.empty());
        assertThat(fromDir.version()).isEqualTo(CrsFixtures.sharedVersion());
        Path tarball = CrsFixtures.releaseTarball(Files.createDirectories(tmp.resolve("dl")));
        String good = sha256(Files.readAllBytes(tarball));
        assertThat(installer(new ArrayList<>()).install(tarball.toString(), Optional.of(good.toUpperCase())).version())
                .isEqualTo(CrsFixtures.sharedVersion());
        assertThatThrownBy(() -> installer(new ArrayList<>()).install(tarball.toString(), Optional.of("0".repeat(64))))
                .hasMessageContaining("has SHA-256 " + good + ", not " + "0".repeat(64));
    }

    @Test
    void crs3IsRefusedAndNothingIsInstalled() throws IOException {
        Path crs3 = CrsFixtures.crs3(tmp);
        assertThatThrownBy(() -> installer(new ArrayList<>()).install(crs3.toString(), Optional.empty()))
                .isInstanceOf(TiyiException.class)
                .hasMessageContaining("CRS 3.3.4").hasMessageContaining("tiyi crs install");
        try (Stream<Path> s = Files.list(tmp.resolve("state/crs"))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void hostileArchivesAreRefusedWithoutWritingOutsideTheirDirectory() throws IOException {
        byte[] x = "x".getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> traversal = new LinkedHashMap<>();
        traversal.put("crs/../../../escaped.txt", x);
        Path t1 = CrsFixtures.tarball(tmp.resolve("t1.tar.gz"), traversal);
        assertThatThrownBy(() -> installer(new ArrayList<>()).install(t1.toString(), Optional.empty()))
                .hasMessageContaining("path traversal");
        Map<String, byte[]> absolute = new LinkedHashMap<>();
        absolute.put("/tmp/absolute.txt", x);
        Path t2 = CrsFixtures.tarball(tmp.resolve("t2.tar.gz"), absolute);
        assertThatThrownBy(() -> installer(new ArrayList<>()).install(t2.toString(), Optional.empty()))
                .hasMessageContaining("absolute paths are not allowed");
        // A link is never made: a rules/ that is a link to / would otherwise be read through.
        Map<String, byte[]> link = new LinkedHashMap<>();
        link.put("coreruleset-4.0.0/rules->/etc", new byte[0]);
        Path t3 = CrsFixtures.tarball(tmp.resolve("t3.tar.gz"), link);
        assertThatThrownBy(() -> installer(new ArrayList<>()).install(t3.toString(), Optional.empty()))
                .hasMessageContaining("holds no CRS directories");
        Path notTar = Files.writeString(tmp.resolve("notes.txt"), "just text, long enough to be read as a header? no.".repeat(20));
        assertThatThrownBy(() -> installer(new ArrayList<>()).install(notTar.toString(), Optional.empty()))
                .isInstanceOf(TiyiException.class);
        assertThat(tmp.resolve("escaped.txt")).doesNotExist();
        assertThat(tmp.getParent().resolve("escaped.txt")).doesNotExist();
        try (Stream<Path> s = Files.list(tmp.resolve("state/crs"))) {
            assertThat(s).as("no staging directory is left").isEmpty();
        }
    }

    @Test
    void aUrlNeedsAPinnedOrGivenDigestThatItsBytesMatch() throws Exception {
        Path tarball = CrsFixtures.releaseTarball(Files.createDirectories(tmp.resolve("dl")));
        byte[] bytes = Files.readAllBytes(tarball);
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(bytes);
            }
        });
        http.start();
        try {
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/coreruleset-minimal.tar.gz";
            assertThatThrownBy(() -> installer(new ArrayList<>()).install(url, Optional.empty()))
                    .hasMessageContaining("no SHA-256 is pinned for " + url).hasMessageContaining("--sha256");
            assertThatThrownBy(() -> installer(new ArrayList<>()).install(url, Optional.of("ab".repeat(32))))
                    .hasMessageContaining("not the release it claims to be");
            try (Stream<Path> s = Files.list(tmp.resolve("state/crs"))) {
                assertThat(s).isEmpty();
            }
            List<String> steps = new ArrayList<>();
            CrsLayout l = installer(steps).install(url, Optional.of(sha256(bytes)));
            assertThat(l.version()).isEqualTo(CrsFixtures.sharedVersion());
            assertThat(steps.get(0)).isEqualTo("downloading " + url);
        } finally {
            http.stop(0);
        }
        assertThatThrownBy(() -> installer(new ArrayList<>()).install("x", Optional.of("not-hex"))).hasMessageContaining("64 hex digits");
    }

    @Test
    void officialReleaseUrlsArePinnedToFullDigests() {
        assertThat(CrsInstaller.PINNED).allSatisfy((url, sha) -> {
            assertThat(url).startsWith("https://github.com/coreruleset/coreruleset/releases/download/v4.");
            assertThat(sha).matches("[0-9a-f]{64}");
        });
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
