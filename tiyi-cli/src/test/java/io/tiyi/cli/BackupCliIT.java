package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup issue's acceptance with the real jar: a backup of a running server, verified,
 * restored into a new state directory, and a server started on it whose audit chain has the
 * manifest's head; it is read-only until told otherwise.
 */
class BackupCliIT {
    @TempDir
    Path dir;

    @Test
    void createVerifyRestoreAndStartFromIt() throws Exception {
        Path state = dir.resolve("a");
        Path backup = dir.resolve("b.tar.gz");
        Path stream = dir.resolve("stream");
        String head;
        String createdOutput;
        try (TiyiProcess server = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--https-addr",
                "127.0.0.1:0", "--state-dir", state.toString())) {
            String url = server.awaitReady(Duration.ofSeconds(60));
            Map<String, String> env = Map.of("TIYI_STATE_DIR", state.toString(), "TIYI_API", url);
            java.nio.file.Files.createDirectories(stream);
            AgentProcessIT.cli(env, "system", "settings", "update", "--key", "backup.stream.dir", "--value", stream.toString());
            AgentProcessIT.cli(env, "sites", "create", "--name", "demo", "--host", "backup.test", "--upstream", "http://127.0.0.1:9");
            TiyiProcess created = AgentProcessIT.cli(env, "backup", "create", "--out", backup.toString());
            assertThat(created.output()).contains("WARNING " + backup + " holds the KEK").contains("written to " + backup);
            Matcher m = Pattern.compile("audit head\\s+([0-9a-f]{64})").matcher(created.output());
            assertThat(m.find()).as(created.output()).isTrue();
            head = m.group(1);
            createdOutput = created.output();
            TiyiProcess verified = AgentProcessIT.cli(env, "backup", "verify", backup.toString());
            assertThat(verified.output()).startsWith("backup OK: ").contains("head " + head);
        }
        // The same state from the stream the server shipped while it ran (before the restored node streams there too).
        Path fromStream = dir.resolve("s");
        TiyiProcess s = AgentProcessIT.cli(Map.of(), "backup", "restore", "--from-stream", stream.toString(), "--state-dir", fromStream.toString(),
                "--kek-file", state.resolve("kek.bin").toString());
        assertThat(s.output()).as(createdOutput).contains("restored generation").contains("audit head " + head);
        java.nio.file.Files.copy(state.resolve("kek.bin"), fromStream.resolve("kek.bin"));
        try (TiyiProcess server = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--https-addr",
                "127.0.0.1:0", "--state-dir", fromStream.toString())) {
            String url = server.awaitReady(Duration.ofSeconds(60));
            Map<String, String> env = Map.of("TIYI_STATE_DIR", fromStream.toString(), "TIYI_API", url);
            assertThat(AgentProcessIT.json(env, "audit", "verify-chain", "--output", "json").get("head_hash").asText()).isEqualTo(head);
            AgentProcessIT.cli(env, "system", "resume-writes", "--yes");
            AgentProcessIT.cli(env, "sites", "delete", "--name", "demo");
        }

        Path restored = dir.resolve("r");
        TiyiProcess r = AgentProcessIT.cli(Map.of(), "backup", "restore", backup.toString(), "--state-dir", restored.toString());
        assertThat(r.output()).contains("restored node").contains("read-only primary");
        TiyiProcess again = TiyiProcess.run(Map.of(), null, "backup", "restore", backup.toString(), "--state-dir", restored.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.output()).contains("is not empty").contains("--force");
        try (TiyiProcess server = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--https-addr",
                "127.0.0.1:0", "--state-dir", restored.toString())) {
            String url = server.awaitReady(Duration.ofSeconds(60));
            Map<String, String> env = Map.of("TIYI_STATE_DIR", restored.toString(), "TIYI_API", url);
            JsonNode chain = AgentProcessIT.json(env, "audit", "verify-chain", "--output", "json");
            assertThat(chain.get("ok").asBoolean()).isTrue();
            assertThat(chain.get("head_hash").asText()).isEqualTo(head);
            assertThat(AgentProcessIT.json(env, "sites", "list", "--output", "json").findValuesAsText("name")).containsExactly("demo");
            TiyiProcess refused = TiyiProcess.run(env, null, "sites", "delete", "--name", "demo");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("read-only");
            AgentProcessIT.cli(env, "system", "resume-writes", "--yes");
            AgentProcessIT.cli(env, "sites", "delete", "--name", "demo");
        }
    }
}
