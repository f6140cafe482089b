package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.tiyi.internal.Json;
import io.tiyi.waf.crs.CrsFixtures;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRS as a user provisions it, with the real jar: a node with no CRS runs the built-in rules;
 * {@code tiyi crs install} from a release tarball makes a block-mode site refuse SQL injection;
 * a CRS 3 directory is refused when it is named and the sites keep serving.
 */
class CrsCliIT {
    @TempDir
    Path dir;

    static String get(int port, String host, String target) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The status line of the first answer that is not {@code 404} (the site reaches the data plane asynchronously). */
    static String statusOf(int port, String target) throws Exception {
        String r = get(port, "localhost", target);
        for (int i = 0; i < 100 && r.startsWith("HTTP/1.1 404"); i++) {
            Thread.sleep(50);
            r = get(port, "localhost", target);
        }
        return r.substring(0, r.indexOf("\r\n"));
    }

    @Test
    void installFromAReleaseTarballProtectsABlockModeSite() throws Exception {
        Path tarball = CrsFixtures.releaseTarball(dir);
        Path crs3 = CrsFixtures.crs3(dir);
        HttpServer upstream = ProxyCliIT.upstream("hello");
        Path state = dir.resolve("state");
        try (TiyiProcess server = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
                "--https-addr", "127.0.0.1:0", "--state-dir", state.toString())) {
            String url = server.awaitReady(Duration.ofSeconds(60));
            int port = server.dataPlanePort();
            Map<String, String> env = Map.of("TIYI_STATE_DIR", state.toString(), "TIYI_API", url);

            TiyiProcess none = TiyiProcess.run(env, null, "crs", "status", "--output", "table");
            assertThat(none.exitCode()).as(none.output()).isZero();
            assertThat(none.output()).contains("no CRS").contains("built-in rules run");
            if (Files.isDirectory(Path.of("/usr/share/modsecurity-crs/rules"))) {
                // This machine has Debian's modsecurity-crs (CRS 3): the node skips it, and status names it, as no error.
                assertThat(none.output()).contains("auto-detection skipped the one in /usr/share/modsecurity-crs").contains("CRS 3");
            }

            assertThat(TiyiProcess.run(env, null, "sites", "create", "--name", "demo", "--host", "localhost", "--upstream",
                    "http://127.0.0.1:" + upstream.getAddress().getPort()).exitCode()).isZero();
            assertThat(statusOf(port, "/")).isEqualTo("HTTP/1.1 200 OK");
            // Built-in rules, default detect mode: the injection passes and is recorded.
            assertThat(statusOf(port, "/?q=1'%20or%20'1'='1")).isEqualTo("HTTP/1.1 200 OK");
            TiyiProcess set = TiyiProcess.run(env, null, "waf", "set", "--site", "demo", "--mode", "block");
            assertThat(set.exitCode()).as(set.output()).isZero();
            assertThat(Json.MAPPER.readTree(set.output()).get("profile").asText()).as("a site's first policy").isEqualTo("standard");
            TiyiProcess show = TiyiProcess.run(env, null, "waf", "show", "--site", "demo", "--output", "table");
            assertThat(show.output()).contains("site demo: mode block, profile standard, paranoia 1");
            TiyiProcess badProfile = TiyiProcess.run(env, null, "waf", "set", "--site", "demo", "--profile", "strict");
            assertThat(badProfile.exitCode()).isNotZero();
            assertThat(badProfile.output()).contains("--profile must be standard or crs; got 'strict'");
            String blocked = "";
            for (int i = 0; i < 100 && !blocked.startsWith("HTTP/1.1 403"); i++) {
                Thread.sleep(50);
                blocked = statusOf(port, "/?q=1'%20or%20'1'='1");
            }
            assertThat(blocked).as("built-in rules in block mode").isEqualTo("HTTP/1.1 403 Forbidden");

            TiyiProcess install = TiyiProcess.run(env, null, "crs", "install", "--from", tarball.toString(), "--output", "json");
            assertThat(install.exitCode()).as(install.output()).isZero();
            JsonNode r = Json.MAPPER.readTree(install.output());
            assertThat(r.get("version").asText()).startsWith("4.");
            assertThat(Path.of(r.get("dir").asText())).isEqualTo(state.toAbsolutePath().normalize().resolve("crs")
                    .resolve(r.get("version").asText()));
            assertThat(r.get("rules").asInt()).isGreaterThan(300);

            TiyiProcess status = TiyiProcess.run(env, null, "crs", "status", "--output", "table");
            assertThat(status.exitCode()).as(status.output()).isZero();
            assertThat(status.output()).contains("version", r.get("version").asText(), "waf.crs_dir", "stock crs-setup.conf.example");

            // The CRS's own rule 942100 (libinjection) now decides.
            String rule = "";
            for (int i = 0; i < 100 && !rule.contains("942100"); i++) {
                Thread.sleep(100);
                TiyiProcess events = TiyiProcess.run(env, null, "events", "list", "--type", "security", "--since", "5m", "--output", "json");
                rule = statusOf(port, "/?q=1'%20or%20'1'='1") + events.output();
            }
            assertThat(rule).startsWith("HTTP/1.1 403").contains("942100");
            assertThat(statusOf(port, "/?q=hello")).isEqualTo("HTTP/1.1 200 OK");

            TiyiProcess refused = TiyiProcess.run(env, null, "system", "settings", "update", "--key", "waf.crs_dir", "--value", crs3.toString());
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.output()).contains("CRS 3.3.4").contains("tiyi crs install");
            TiyiProcess refusedInstall = TiyiProcess.run(env, null, "crs", "install", "--from", crs3.toString());
            assertThat(refusedInstall.exitCode()).isEqualTo(1);
            assertThat(refusedInstall.output()).contains("CRS 3.3.4 in " + crs3 + " is not supported");
            assertThat(statusOf(port, "/?q=hello")).isEqualTo("HTTP/1.1 200 OK");
            assertThat(statusOf(port, "/?q=1'%20or%20'1'='1")).startsWith("HTTP/1.1 403");
        } finally {
            upstream.stop(0);
        }
    }
}
