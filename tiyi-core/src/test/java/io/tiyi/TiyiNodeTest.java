package io.tiyi;

import static io.tiyi.store.generated.Tables.BUNDLE_SIGNING_KEY;
import static io.tiyi.store.generated.Tables.MUTATION_LOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import io.tiyi.crypto.RandomTokens;
import io.tiyi.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TiyiNodeTest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private TiyiConfig config() {
        return io.tiyi.testsupport.TestNodes.config(dir);
    }

    private HttpResponse<String> get(TiyiNode node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(node.adminUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void firstBootIsAReadyPrimaryAtEpochOne() throws Exception {
        try (TiyiNode node = TiyiNode.builder().config(config()).build().start()) {
            HttpResponse<String> health = get(node, "/healthz");
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode h = Json.MAPPER.readTree(health.body());
            assertThat(h.get("status").asText()).isEqualTo("ok");
            assertThat(h.get("role").asText()).isEqualTo("primary");
            assertThat(h.get("epoch").asLong()).isEqualTo(1);
            assertThat(h.get("version").asText()).isEqualTo(TiyiVersion.version());
            assertThat(node.bootstrapPassword()).isPresent();
            assertThat(dir.resolve("kek.bin")).hasSize(32);

            HttpResponse<String> metrics = get(node, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body().lines().filter(l -> l.startsWith("# TYPE")).count()).isGreaterThan(10);
            assertThat(metrics.body()).contains("jvm_threads_count").contains("tiyi_admin_http_requests");
        }
    }

    @Test
    void restartKeepsKeysAndCreatesNoNewBootstrapAdmin() {
        byte[] pub;
        try (TiyiNode node = TiyiNode.builder().config(config()).build().start()) {
            pub = NodeInternals.store(node).read(db -> db.select(BUNDLE_SIGNING_KEY.PUBLIC_KEY).from(BUNDLE_SIGNING_KEY).fetchOne().value1());
        }
        try (TiyiNode node = TiyiNode.builder().config(config()).build().start()) {
            assertThat(node.bootstrapPassword()).isEmpty();
            byte[] again = NodeInternals.store(node).read(db -> db.select(BUNDLE_SIGNING_KEY.PUBLIC_KEY).from(BUNDLE_SIGNING_KEY).fetchOne().value1());
            assertThat(again).isEqualTo(pub);
            java.util.List<String> kinds = NodeInternals.store(node).read(db -> db.select(MUTATION_LOG.KIND).from(MUTATION_LOG)
                    .orderBy(MUTATION_LOG.SEQ).fetch(MUTATION_LOG.KIND));
            assertThat(kinds).as("signing key, bootstrap admin, the two seeded alert rules, the embedded agent's token and its enrollment;"
                    + " nothing on restart").containsExactly("bundles.set_signing_key", "users.create", "alerts.seed_rule", "alerts.seed_rule",
                    "agents.issue_token", "agents.enroll");
        }
    }

    @Test
    void otherKekIsRefusedAndChangesNothing() throws Exception {
        try (TiyiNode node = TiyiNode.builder().config(config()).build().start()) {
            assertThat(node.epoch()).isEqualTo(1);
        }
        byte[] before = Files.readAllBytes(dir.resolve("state.db"));
        Path other = dir.resolve("other.kek");
        Files.write(other, RandomTokens.bytes(32));
        assertThatThrownBy(() -> TiyiNode.builder().config(config().withKekFile(other)).build().start())
                .isInstanceOf(TiyiException.class)
                .hasMessageContaining("KEK does not match");
        assertThat(Files.readAllBytes(dir.resolve("state.db"))).isEqualTo(before);
        try (TiyiNode node = TiyiNode.builder().config(config()).build().start()) {
            assertThat(node.status().phase()).isEqualTo(io.tiyi.api.NodeStatus.Phase.READY);
        }
    }

    @Test
    void busyPortIsAClearError() {
        try (TiyiNode first = TiyiNode.builder().config(config()).build().start()) {
            int port = Integer.parseInt(first.adminUrl().substring(first.adminUrl().lastIndexOf(':') + 1));
            Path other = dir.resolve("second");
            TiyiConfig cfg = io.tiyi.testsupport.TestNodes.config(other).withServerAddr(new HostPort("127.0.0.1", port));
            assertThatThrownBy(() -> TiyiNode.builder().config(cfg).build().start())
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + port);
        }
    }
}
