package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The administrator's CLI against a real node: users, settings, the audit chain, login sessions. */
class AdminCliIT {
    @TempDir
    Path dir;

    @Test
    void operatorWorkflow() throws Exception {
        Path state = dir.resolve("state");
        try (TiyiProcess server = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--state-dir", state.toString())) {
            String url = server.awaitReady(Duration.ofSeconds(60));
            Map<String, String> env = Map.of("TIYI_STATE_DIR", state.toString(), "TIYI_API", url,
                    "XDG_CONFIG_HOME", dir.resolve("config").toString());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("local-admin.json"))))
                    .isEqualTo("rw-------");

            TiyiProcess create = TiyiProcess.run(env, "correct horse battery staple\n",
                    "users", "create", "--name", "alice", "--role", "operator", "--password-stdin");
            assertThat(create.exitCode()).as(create.output()).isZero();

            TiyiProcess list = TiyiProcess.run(env, null, "users", "list", "--output", "json");
            assertThat(list.exitCode()).isZero();
            JsonNode users = Json.MAPPER.readTree(list.output());
            assertThat(users.isArray()).isTrue();
            assertThat(users).hasSize(2);
            assertThat(users.get(1).get("role").asText()).isEqualTo("operator");

            TiyiProcess table = TiyiProcess.run(env, null, "users", "list", "--output", "table");
            assertThat(table.output()).startsWith("NAME").contains("alice").contains("must change password");

            assertThat(TiyiProcess.run(env, null, "system", "settings", "update", "--key", "siem.format", "--value", "leef").exitCode()).isZero();
            TiyiProcess bad = TiyiProcess.run(env, null, "system", "settings", "update", "--key", "siem.format", "--value", "xml");
            assertThat(bad.exitCode()).isEqualTo(1);
            assertThat(bad.output()).isEqualTo("ERROR invalid value 'xml' for setting siem.format: allowed: rfc5424, cef, leef");

            HttpResponse<String> anon = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url + "/rpc/tiyi.v1.UsersService/List")).header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anon.statusCode()).isEqualTo(401);

            TiyiProcess verify = TiyiProcess.run(env, null, "audit", "verify-chain", "--output", "table");
            assertThat(verify.exitCode()).isZero();
            assertThat(verify.output()).matches("audit chain OK: \\d+ entries, head [0-9a-f]{64}");

            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + state.resolve("state.db"));
                    java.sql.Statement st = c.createStatement()) {
                st.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 2");
            }
            TiyiProcess broken = TiyiProcess.run(env, null, "audit", "verify-chain");
            assertThat(broken.exitCode()).isEqualTo(1);
            assertThat(broken.output()).contains("ERROR audit chain broken at entry 2");

            // A remote operator: no state dir, a login session instead.
            Map<String, String> remote = Map.of("TIYI_API", url, "XDG_CONFIG_HOME", dir.resolve("config").toString(),
                    "TIYI_STATE_DIR", dir.resolve("nowhere").toString());
            TiyiProcess noLogin = TiyiProcess.run(remote, null, "system", "status");
            assertThat(noLogin.exitCode()).isEqualTo(1);
            assertThat(noLogin.output()).contains("authentication required").contains("tiyi login");
            TiyiProcess login = TiyiProcess.run(remote, "correct horse battery staple\n", "login", "--user", "alice", "--password-stdin");
            assertThat(login.exitCode()).as(login.output()).isZero();
            Path session = dir.resolve("config/tiyi/session.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(session))).isEqualTo("rw-------");
            TiyiProcess status = TiyiProcess.run(remote, null, "system", "status", "--output", "json");
            assertThat(status.exitCode()).isZero();
            assertThat(Json.MAPPER.readTree(status.output()).get("role").asText()).isEqualTo("primary");
            TiyiProcess denied = TiyiProcess.run(remote, null, "users", "list");
            assertThat(denied.exitCode()).isEqualTo(1);
            assertThat(denied.output()).contains("needs role admin; you are operator");
            assertThat(TiyiProcess.run(remote, null, "logout").exitCode()).isZero();
            assertThat(TiyiProcess.run(remote, null, "system", "status").exitCode()).isEqualTo(1);

            assertThat(server.terminate()).isZero();
            assertThat(state.resolve("local-admin.json")).doesNotExist();
        }
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        TiyiProcess group = TiyiProcess.run(Map.of(), null, "users");
        assertThat(group.exitCode()).isEqualTo(2);
        assertThat(group.output()).contains("set-password");
        TiyiProcess missing = TiyiProcess.run(Map.of(), null, "users", "create", "--name", "x");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.output()).isEqualTo("ERROR the option --role is required for 'tiyi users create'; see --help");
        // The real jar, with its logging set up: the daemon roles' launchers say it the same way, and start nothing.
        for (String[] c : new String[][] {{"backup", "create", "--bogus"}, {"backup", "--bogus"}, {"server", "--bogus"},
                {"secondary", "--bogus"}, {"agent", "--bogus"}}) {
            TiyiProcess unknown = TiyiProcess.run(Map.of(), null, c);
            String program = "tiyi " + String.join(" ", java.util.Arrays.copyOf(c, c.length - 1));
            assertThat(unknown.output()).isEqualTo("ERROR unknown option --bogus for '" + program + "'; see --help");
            assertThat(unknown.exitCode()).isEqualTo(2);
        }
        TiyiProcess noValue = TiyiProcess.run(Map.of(), null, "server", "--state-dir");
        assertThat(noValue.output()).isEqualTo("ERROR --state-dir needs a value for 'tiyi server'; see --help");
        assertThat(noValue.exitCode()).isEqualTo(2);
        TiyiProcess help = TiyiProcess.run(Map.of(), null, "system", "settings", "update", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.output()).contains("--key").contains("--value");
        TiyiProcess down = TiyiProcess.run(Map.of("TIYI_API", "http://127.0.0.1:1", "TIYI_STATE_DIR", dir.toString()), null,
                "system", "status");
        assertThat(down.exitCode()).isEqualTo(1);
        assertThat(down.output()).contains("cannot reach the Tiyi API at http://127.0.0.1:1");
    }
}
