package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.rpc.AgentsService;
import io.tiyi.cluster.Role;
import io.tiyi.internal.Json;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestUpstream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent is ready only while its listeners are bound and it serves a verified bundle: one whose
 * HTTP port is taken says so on {@code /healthz} and in {@code agents list}, naming the address,
 * and binds and turns ready by itself once the port is free; one whose last good bundle fails its
 * checks while no control plane answers is not ready until one sends it a bundle.
 */
class AgentReadinessTest {
    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(0);

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> health(TiyiNode agent) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(agent.adminUrl() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAgentWhosePortIsTakenIsNotReadyUntilItBinds() throws Exception {
        TiyiCluster cluster = clusters.cluster();
        try (TestUpstream up = new TestUpstream("app")) {
            cluster.client().raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams",
                    List.of(up.url())));
            String token = cluster.client().call(AgentsService.ISSUE_TOKEN, new AgentsService.IssueRequest("edge", "10m")).get("token")
                    .asText();
            ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            int port = taken.getLocalPort();
            String address = "127.0.0.1:" + port;
            try (TiyiNode agent = TiyiNode.builder().role(Role.AGENT).stateDir(Files.createDirectories(clusters.root().resolve("edge")))
                    .adminAddress("127.0.0.1:0").httpAddress(address).httpsAddress("127.0.0.1:0").agentApi(cluster.apiUrl(TiyiCluster.PRIMARY))
                    .enrollmentToken(token).build().start()) {
                try {
                    HttpResponse<String> h = health(agent);
                    assertThat(h.statusCode()).isEqualTo(503);
                    JsonNode body = Json.MAPPER.readTree(h.body());
                    assertThat(body.get("ready").asBoolean()).isFalse();
                    assertThat(body.get("reason").asText()).contains("listeners not bound").contains(address);
                    String id = agent.agent().orElseThrow().agentId();
                    JsonNode listed = Await.value(Duration.ofSeconds(10), "the agent in agents list", () -> {
                        for (JsonNode a : cluster.client().call(AgentsService.LIST, new AgentsService.ListRequest(null, null, null))
                                .get("agents")) {
                            if (a.get("id").asText().equals(id) && !a.get("health").asText().equals("unknown")) {
                                return java.util.Optional.of(a);
                            }
                        }
                        return java.util.Optional.empty();
                    });
                    assertThat(listed.get("health").asText()).startsWith("not ready: listeners not bound").contains(address);
                } finally {
                    taken.close();
                }
                Await.until(Duration.ofSeconds(15), "the agent binds the freed port and turns ready", () -> {
                    try {
                        return health(agent).statusCode() == 200;
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertThat(agent.httpAddress().getPort()).isEqualTo(port);
                HttpResponse<String> r = RawHttp.get(new InetSocketAddress("127.0.0.1", port), "shop.test", "/", Map.of());
                assertThat(r.statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void anAgentWhoseLastGoodBundleFailsItsChecksIsNotReadyUntilAControlPlaneSendsOne() throws Exception {
        TiyiCluster cluster = clusters.cluster();
        String token = cluster.client().call(AgentsService.ISSUE_TOKEN, new AgentsService.IssueRequest("edge", "10m")).get("token").asText();
        java.nio.file.Path dir = Files.createDirectories(clusters.root().resolve("edge"));
        String api = cluster.apiUrl(TiyiCluster.PRIMARY);
        try (TiyiNode agent = TiyiNode.builder().role(Role.AGENT).stateDir(dir).adminAddress("127.0.0.1:0").httpAddress("127.0.0.1:0")
                .httpsAddress("127.0.0.1:0").agentApi(api).enrollmentToken(token).build().start()) {
            assertThat(health(agent).statusCode()).isEqualTo(200);
        }
        // The last good bundle tampered with, and every control plane out of reach.
        io.tiyi.agent.AgentFiles files = new io.tiyi.agent.AgentFiles(dir);
        io.tiyi.bundle.SignedBundle good = files.lastBundle().orElseThrow();
        byte[] payload = good.payload().clone();
        payload[payload.length / 2] ^= 1;
        files.lastBundle(new io.tiyi.bundle.SignedBundle(payload, good.signature(), good.signingKey()));
        try (TiyiNode agent = TiyiNode.builder().role(Role.AGENT).stateDir(dir).adminAddress("127.0.0.1:0").httpAddress("127.0.0.1:0")
                .httpsAddress("127.0.0.1:0").route(url -> "http://127.0.0.1:9").build().start()) {
            HttpResponse<String> h = health(agent);
            assertThat(h.statusCode()).isEqualTo(503);
            assertThat(Json.MAPPER.readTree(h.body()).get("reason").asText()).startsWith("no verified bundle in force (last refused: ");
            assertThat(agent.agent().orElseThrow().currentReport().health()).startsWith("not ready: no verified bundle");
        }
        try (TiyiNode agent = TiyiNode.builder().role(Role.AGENT).stateDir(dir).adminAddress("127.0.0.1:0").httpAddress("127.0.0.1:0")
                .httpsAddress("127.0.0.1:0").build().start()) {
            Await.until(Duration.ofSeconds(10), "the agent turns ready with a bundle from the control plane", () -> {
                try {
                    return health(agent).statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }
}
