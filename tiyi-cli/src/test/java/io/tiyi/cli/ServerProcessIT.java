package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code tiyi server} process: first boot, restart, KEK mismatch, signals. */
class ServerProcessIT {
    private static final Pattern BOOTSTRAP = Pattern.compile("password '([^']+)'");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void versionNamesReleaseAndCommit() throws Exception {
        try (TiyiProcess p = TiyiProcess.start(Map.of(), "version")) {
            assertThat(p.awaitExit()).isZero();
            assertThat(p.output()).matches("tiyi 3\\.0\\.0-rc\\.1 \\(commit [0-9a-f]{7,}(-dirty)?\\)|tiyi 3\\.0\\.0-rc\\.1 \\(commit unknown\\)");
        }
    }

    @Test
    void unknownCommandIsAUsageError() throws Exception {
        try (TiyiProcess p = TiyiProcess.start(Map.of(), "frobnicate")) {
            assertThat(p.awaitExit()).isEqualTo(2);
            assertThat(p.output()).contains("unknown command 'frobnicate'");
        }
    }

    @Test
    void standaloneNodeLifecycle() throws Exception {
        Path state = dir.resolve("state");
        String password;
        try (TiyiProcess p = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--state-dir", state.toString())) {
            String url = p.awaitReady(Duration.ofSeconds(60));
            HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create(url + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(h.statusCode()).isEqualTo(200);
            assertThat(h.body()).contains("\"role\":\"primary\"").contains("\"epoch\":1").contains("\"status\":\"ok\"");
            String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics.lines().filter(l -> l.startsWith("# TYPE")).count()).isGreaterThan(10);

            Path kek = state.resolve("kek.bin");
            assertThat(Files.size(kek)).isEqualTo(32);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kek))).isEqualTo("rw-------");

            assertThat(p.terminate()).as("exit code after SIGTERM").isZero();
            String out = p.output();
            assertThat(out).containsPattern("(?m)^WARNING auth\\.jwt_secret is not set: .*sessions will not survive a restart.*replicas cannot share refresh tokens");
            assertThat(out).containsPattern("(?m)^WARNING KEK falls back to " + Pattern.quote(kek.toAbsolutePath().toString()) + ".*crypto\\.kek_file");
            assertThat(out).containsPattern("(?m)^INFO tiyi primary ready on http://127\\.0\\.0\\.1:\\d+ \\(epoch 1\\)$");
            assertThat(out).contains("INFO tiyi stopped");
            Matcher m = BOOTSTRAP.matcher(out);
            assertThat(m.find()).isTrue();
            password = m.group(1);
            assertThat(out).doesNotContain(HexFormat.of().formatHex(Files.readAllBytes(kek)));
            assertThat(out.lines()).allSatisfy(l -> assertThat(l).matches("^(INFO|WARNING|ERROR|DEBUG) .*"));
        }

        try (TiyiProcess p = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--state-dir", state.toString())) {
            p.awaitReady(Duration.ofSeconds(60));
            assertThat(p.terminate()).isZero();
            assertThat(p.output()).doesNotContain("bootstrap admin created").doesNotContain(password);
        }

        Path other = dir.resolve("other.kek");
        Files.write(other, io.tiyi.crypto.RandomTokens.bytes(32));
        Path cfg = dir.resolve("tiyi.yaml");
        Files.writeString(cfg, "crypto:\n  kek_file: " + other + "\n");
        byte[] before = Files.readAllBytes(state.resolve("state.db"));
        try (TiyiProcess p = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--state-dir", state.toString(),
                "--config", cfg.toString())) {
            assertThat(p.awaitExit()).isEqualTo(1);
            assertThat(p.output()).containsPattern("(?m)^ERROR KEK does not match: .*sha256:[0-9a-f]{16}.*sha256:[0-9a-f]{16}");
        }
        assertThat(Files.readAllBytes(state.resolve("state.db"))).isEqualTo(before);
    }

    @Test
    void badConfigStopsStartupNamingKeyAndFile() throws Exception {
        Path cfg = dir.resolve("bad.yaml");
        Files.writeString(cfg, "auth:\n  jwt_secret: tooshort\n");
        try (TiyiProcess p = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--state-dir", dir.resolve("s").toString(),
                "--config", cfg.toString())) {
            assertThat(p.awaitExit()).isEqualTo(1);
            assertThat(p.output()).contains("ERROR config " + cfg).contains("auth.jwt_secret must be at least 32 bytes");
        }
    }
}
