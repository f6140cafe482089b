package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tiyi.TiyiNode;
import io.tiyi.bundle.AgentReport;
import io.tiyi.client.TiyiClient;
import io.tiyi.internal.Json;
import io.tiyi.proxy.UpstreamHealth;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestUpstream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node's data plane reports the state of its upstreams, and the fleet view shows it per agent. */
class AgentUpstreamHealthTest {
    @RegisterExtension
    final NodeExtension nodes = NodeExtension.primary();

    @Test
    void theFleetViewShowsALiveUpstreamHealthyAndADeadOneEjectedOrFailingItsChecks() throws Exception {
        String dead = "http://127.0.0.1:" + closedPort();
        TiyiNode node = nodes.node();
        try (TestUpstream live = new TestUpstream("live")) {
            TiyiClient api = node.client();
            api.raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams", List.of(live.url(), dead)));
            api.raw("SitesService", "AddRoute", Map.of("site", "shop", "path_prefix", "/api", "upstreams", List.of(live.url())));
            api.raw("SitesService", "Create", Map.of("name", "checked", "hosts", List.of("checked.test"), "upstreams",
                    List.of(live.url(), dead), "health_path", "/health"));
            assertThat(node.awaitDataPlane(Duration.ofSeconds(10))).isTrue();
            AgentRuntime agent = node.agent().orElseThrow();

            // Requests find the dead target of "shop" and eject it; nobody sends any to "checked",
            // whose dead target only its health checks take out (after FALL of them, 5 s apart).
            List<UpstreamHealth> expected = new ArrayList<>(List.of(
                    new UpstreamHealth("checked", "", live.url(), true, false, 0),
                    new UpstreamHealth("checked", "", dead, false, false, 0),
                    new UpstreamHealth("shop", "", live.url(), true, false, 0),
                    new UpstreamHealth("shop", "", dead, true, true, 0),
                    new UpstreamHealth("shop", "/api", live.url(), true, false, 0)));
            expected.sort(Comparator.comparing(UpstreamHealth::site).thenComparing(UpstreamHealth::route)
                    .thenComparing(UpstreamHealth::target));
            List<Integer> statuses = new ArrayList<>();
            AtomicReference<List<UpstreamHealth>> listed = new AtomicReference<>(List.of());
            Await.until(Duration.ofSeconds(15), () -> "the fleet view to list " + expected + ", not " + listed.get(), () -> {
                try {
                    for (int i = 0; i < 2; i++) {
                        statuses.add(RawHttp.get(node.httpAddress(), "shop.test", "/", Map.of()).statusCode());
                    }
                    agent.report();
                    listed.set(upstreamsOf(api.raw("AgentsService", "List", Map.of()).get("agents"), agent.agentId()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return listed.get().equals(expected);
            });
            assertThat(listed.get()).isEqualTo(expected);
            assertThat(statuses).as("a refused connection is retried on the other target").containsOnly(200);
            assertThat(upstreams(api.raw("AgentsService", "Get", Map.of("id", agent.agentId())))).isEqualTo(expected);
        }
    }

    @Test
    void aReportWithoutUpstreamsFromAnOlderAgentReadsAsNone() throws Exception {
        AgentReport current = new AgentReport(1, 1, 1, "ok", "1.0.0", "linux", "amd64", 1, null, null, null, null, 0, null, null,
                List.of(new UpstreamHealth("shop", "", "http://127.0.0.1:1", true, false, 0)), null);
        ObjectNode older = (ObjectNode) Json.MAPPER.valueToTree(current);
        older.remove("upstreams");
        assertThat(Json.MAPPER.treeToValue(older, AgentReport.class).upstreams()).isEmpty();
        assertThat(Json.read(Json.write(current), AgentReport.class)).isEqualTo(current);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static List<UpstreamHealth> upstreamsOf(JsonNode agents, String id) throws IOException {
        for (JsonNode a : agents) {
            if (a.get("id").asText().equals(id)) {
                return upstreams(a);
            }
        }
        throw new AssertionError("agent " + id + " is not listed: " + agents);
    }

    private static List<UpstreamHealth> upstreams(JsonNode agent) throws IOException {
        List<UpstreamHealth> out = new ArrayList<>();
        for (JsonNode u : agent.get("upstreams")) {
            out.add(Json.MAPPER.treeToValue(u, UpstreamHealth.class));
        }
        return out;
    }
}
