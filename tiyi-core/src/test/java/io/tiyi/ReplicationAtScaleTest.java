package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.AgentsService;
import io.tiyi.client.rpc.ReleasesService;
import io.tiyi.cluster.Role;
import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import io.tiyi.crypto.Kek;
import io.tiyi.internal.Json;
import io.tiyi.internal.TcpLink;
import io.tiyi.store.Blobs;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replication and seeding past the size JSON could carry: a release artifact of 20 MiB replicates
 * and seeds a new secondary, whose transfer is cut mid-way and resumes; a failed seeding spends
 * no token and enrolls nobody; a stalled secondary says so on /healthz and in
 * {@code tiyi_replication_lag_seq}, and the primary fires Replication Stalled, cleared on recovery.
 */
class ReplicationAtScaleTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(0).withSecondary();

    @BeforeAll
    static void shortStall() {
        System.setProperty("tiyi.replication.stall_after_ms", "1500");
    }

    @AfterAll
    static void defaultStall() {
        System.clearProperty("tiyi.replication.stall_after_ms");
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(r.body());
    }

    private static String metrics(String api) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static TiyiConfig config(Path dir, int port) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return TiyiConfig.defaults().withServerAddr(new HostPort("127.0.0.1", port)).withStateDir(dir).withHttpAddr(any).withHttpsAddr(any);
    }

    private static String secondaryToken(TiyiClient api) {
        return api.call(AgentsService.ISSUE_TOKEN, new AgentsService.IssueRequest("secondary", "10m")).get("token").asText();
    }

    private static long secondaries(TiyiClient api) {
        JsonNode agents = api.listAll(AgentsService.LIST, "agents");
        long n = 0;
        for (JsonNode a : agents) {
            n += "secondary".equals(a.path("tag").asText()) ? 1 : 0;
        }
        return n;
    }

    private static JsonNode token(TiyiClient api, String token) {
        String id = io.tiyi.crypto.RandomTokens.sha256Hex(token).substring(0, 12);
        for (JsonNode t : api.call(AgentsService.LIST_TOKENS, io.tiyi.client.rpc.Empty.INSTANCE).get("tokens")) {
            if (t.get("id").asText().equals(id)) {
                return t;
            }
        }
        throw new AssertionError("no token " + id);
    }

    @Test
    void aLargeReleaseReplicatesAndSeedsANewSecondaryWhoseCutTransferResumes() throws Exception {
        TiyiCluster cluster = clusters.cluster();
        TiyiClient api = cluster.client();
        byte[] jar = new byte[20 << 20];
        new Random(1).nextBytes(jar);
        Path tarball = clusters.root().resolve("release.tar.gz");
        Files.write(tarball, RolloutClusterTest.tarball("3.0.7", jar));
        api.callWithFile(ReleasesService.IMPORT, "tarball", tarball);
        api.raw("SitesService", "Create", Map.of("name", "next", "hosts", List.of("next.test"), "upstreams", List.of("http://127.0.0.1:9")));

        String secondaryApi = cluster.apiUrl(TiyiCluster.SECONDARY);
        Await.until(Duration.ofSeconds(60), "the secondary reaches lag 0 after a 20 MiB artifact", () -> {
            try {
                JsonNode h = get(secondaryApi + "/healthz");
                return h.path("replication_lag").asLong(-1) == 0 && h.get("last_seq").asLong() == cluster.primary().status().lastSeq();
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(new Blobs(RolloutClusterTest.storeOf(cluster.secondary())).get(Blobs.sha256(jar))).hasValue(jar);
        assertThat(metrics(secondaryApi)).contains("tiyi_replication_lag_seq 0");

        // A new secondary seeded through a link that is cut once its download is under way.
        Path dir = clusters.root().resolve("secondary-2");
        Files.createDirectories(dir);
        Files.copy(clusters.root().resolve("primary").resolve("kek.bin"), dir.resolve("kek.bin"), StandardCopyOption.COPY_ATTRIBUTES);
        String primaryApi = cluster.apiUrl(TiyiCluster.PRIMARY);
        String tok = secondaryToken(api);
        long before = secondaries(api);
        try (TcpLink link = new TcpLink(new InetSocketAddress("127.0.0.1", URI.create(primaryApi).getPort()))) {
            AtomicBoolean cut = new AtomicBoolean();
            Thread cutter = new Thread(() -> {
                while (!cut.get()) {
                    if (partialExists(dir)) {
                        link.cut();
                        cut.set(true);
                        try {
                            Thread.sleep(700);
                        } catch (InterruptedException e) {
                            return;
                        }
                        link.restore();
                    }
                    Thread.onSpinWait();
                }
            }, "link-cutter");
            cutter.start();
            String viaLink = "http://127.0.0.1:" + link.port();
            try (TiyiNode seeded = TiyiNode.builder().role(Role.SECONDARY).config(config(dir, freePort())).primaryApi(primaryApi).enrollmentToken(tok)
                    .route(url -> url.equals(primaryApi) ? viaLink : url).build().start()) {
                cutter.join(5_000);
                assertThat(cut).as("the transfer was cut while under way").isTrue();
                assertThat(seeded.role()).isEqualTo(Role.SECONDARY);
                Await.until(Duration.ofSeconds(60), "the seeded secondary holds the artifact and reaches the primary's seq",
                        () -> seeded.status().lastSeq() == cluster.primary().status().lastSeq());
                assertThat(new Blobs(RolloutClusterTest.storeOf(seeded)).has(Blobs.sha256(jar))).isTrue();
            } finally {
                cut.set(true);
            }
        }
        assertThat(secondaries(api)).as("enrolled once").isEqualTo(before + 1);
        assertThat(token(api, tok).get("state").asText()).isEqualTo("used");
    }

    /** The download has begun: the partial file is created before the first range is asked for. */
    private static boolean partialExists(Path dir) {
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, "state.db.seed-*.part")) {
            return parts.iterator().hasNext();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void aSeedingThatFailsOnTheKekSpendsNoTokenAndEnrollsNobody() throws Exception {
        TiyiCluster cluster = clusters.cluster();
        TiyiClient api = cluster.client();
        Path dir = clusters.root().resolve("secondary-wrong-kek");
        Files.createDirectories(dir);
        Kek.generate(dir.resolve("kek.bin"));
        String tok = secondaryToken(api);
        long before = secondaries(api);
        String primaryApi = cluster.apiUrl(TiyiCluster.PRIMARY);

        assertThatThrownBy(() -> TiyiNode.builder().role(Role.SECONDARY).config(config(dir, freePort())).primaryApi(primaryApi)
                .enrollmentToken(tok).build().start()).hasStackTraceContaining("KEK mismatch").hasStackTraceContaining("was not used");

        assertThat(secondaries(api)).as("no orphan secondary").isEqualTo(before);
        assertThat(token(api, tok).get("state").asText()).isEqualTo("active");
        assertThat(dir.resolve("state.db")).doesNotExist();
        assertThat(dir.resolve("agent").resolve("agent.json")).doesNotExist();

        // With the primary's KEK, the same token seeds it.
        Files.copy(clusters.root().resolve("primary").resolve("kek.bin"), dir.resolve("kek.bin"), StandardCopyOption.REPLACE_EXISTING);
        try (TiyiNode seeded = TiyiNode.builder().role(Role.SECONDARY).config(config(dir, freePort())).primaryApi(primaryApi).enrollmentToken(tok)
                .build().start()) {
            assertThat(seeded.role()).isEqualTo(Role.SECONDARY);
        }
        assertThat(secondaries(api)).isEqualTo(before + 1);
    }

    @Test
    void aStalledSecondaryIsDegradedWithARealLagAndThePrimaryFiresReplicationStalledUntilItRecovers() throws Exception {
        TiyiCluster cluster = clusters.cluster();
        TiyiClient api = cluster.client();
        String secondaryApi = cluster.apiUrl(TiyiCluster.SECONDARY);
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        assertThat(get(secondaryApi + "/healthz").get("status").asText()).isEqualTo("ok");

        cluster.partition();
        for (int i = 0; i < 3; i++) {
            api.raw("SitesService", "Create", Map.of("name", "s" + i, "hosts", List.of("s" + i + ".test"), "upstreams", List.of("http://127.0.0.1:9")));
        }
        JsonNode h = Await.value(Duration.ofSeconds(30), "the secondary reports degraded", () -> {
            try {
                JsonNode j = get(secondaryApi + "/healthz");
                return "degraded".equals(j.get("status").asText()) ? java.util.Optional.of(j) : java.util.Optional.empty();
            } catch (Exception e) {
                return java.util.Optional.empty();
            }
        });
        assertThat(h.get("ready").asBoolean()).isTrue();
        assertThat(h.get("reason").asText()).contains("replication from").contains("failed");
        assertThat(h.get("replication_lag").asLong()).as("a real number, not -1").isGreaterThanOrEqualTo(0);
        // Once per 300 s window while it lasts: a stall that spans a window boundary fires twice.
        Await.until(Duration.ofSeconds(30), "the primary fires Replication Stalled", () -> api.raw("AlertsService", "List", Map.of("rule",
                "replication-stalled")).get("firings").size() >= 1);

        cluster.healPartition();
        Await.until(Duration.ofSeconds(30), "the secondary recovers", () -> {
            try {
                JsonNode j = get(secondaryApi + "/healthz");
                return "ok".equals(j.get("status").asText()) && j.get("replication_lag").asLong() == 0;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(metrics(secondaryApi)).contains("tiyi_replication_lag_seq 0");
        Await.until(Duration.ofSeconds(30), "the firing is cleared", () -> api.raw("AlertsService", "List", Map.of("rule", "replication-stalled",
                "unacked_only", true)).get("firings").isEmpty());
        for (JsonNode f : api.raw("AlertsService", "List", Map.of("rule", "replication-stalled")).get("firings")) {
            assertThat(f.get("acked_by").asText()).isEqualTo("system");
        }
    }
}
