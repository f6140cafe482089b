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
 * and binds and turns ready by itself once the port is free.
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
}
