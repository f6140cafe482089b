package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiCluster;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.internal.Json;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestUpstream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A separate agent's blocks reach the primary's explorer and overview; the primary's own data plane is not shipped twice. */
class EventShippingTest {
    static final String SQLI = "/search?q=1%27%20or%20%271%27=%271";

    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(1);

    Path root;
    TiyiCluster cluster;
    TestUpstream up;

    @BeforeEach
    void start() throws Exception {
        up = new TestUpstream("app");
        cluster = clusters.cluster();
        root = clusters.root();
        cluster.client().raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams", List.of(up.url())));
        cluster.client().raw("WafService", "SetPolicy", Map.of("site", "shop", "mode", "block"));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stop() {
        up.close();
    }

    static int block(InetSocketAddress via, String requestId) throws Exception {
        return RawHttp.get(via, "shop.test", SQLI, Map.of("X-Request-Id", requestId)).statusCode();
    }

    /** The primary's security events with this request id. */
    JsonNode search(String requestId) {
        return cluster.client().raw("EventsService", "Search", Map.of("type", "security", "request_id", requestId)).get("events");
    }

    @Test
    void aBlockOnASeparateAgentReachesThePrimarysExplorerAndOverviewWithTheAgentsId() throws Exception {
        try (UdpReceiver siem = new UdpReceiver()) {
            // Both the primary and (through its bundle) the agent forward to this receiver.
            cluster.client().raw("SystemService", "UpdateSetting", Map.of("key", "siem.address", "value", "udp://127.0.0.1:" + siem.port()));
            cluster.client().raw("SystemService", "UpdateSetting", Map.of("key", "siem.enabled", "value", "true"));
            assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();

            assertThat(block(cluster.agent(0).httpAddress(), "shipped-1")).isEqualTo(403);
            Await.until(Duration.ofSeconds(30), "the agent's block in the primary's explorer", () -> search("shipped-1").size() > 0);
            JsonNode e = search("shipped-1");
            assertThat(e).hasSize(1);
            String agentId = cluster.agent(0).agent().orElseThrow().agentId();
            assertThat(e.get(0).get("agent").asText()).isEqualTo(agentId);
            assertThat(e.get(0).get("site").asText()).isEqualTo("shop");
            assertThat(e.get(0).get("action").asText()).isEqualTo("blocked");
            assertThat(e.get(0).get("path").asText()).startsWith("/search?q=");

            JsonNode stats = cluster.client().raw("EventsService", "Stats", Map.of("site", "shop"));
            assertThat(stats.get("blocked").asLong()).isEqualTo(1);
            assertThat(stats.get("sites").get(0).get("site").asText()).isEqualTo("shop");
            long perBucket = 0;
            for (JsonNode b : stats.get("sites").get(0).get("blocked")) {
                perBucket += b.asLong();
            }
            assertThat(perBucket).as("blocked per site, over time").isEqualTo(1);
            assertThat(stats.get("top_rules")).isNotEmpty();
            assertThat(stats.get("top_clients").get(0).get("blocked").asLong()).isEqualTo(1);

            // The agent sent it to the SIEM itself; the primary must not send a second copy. Its
            // queue is first in, first out, so once its test event is out, a copy would be too.
            Await.until(Duration.ofSeconds(15), "the agent's own SIEM message", () -> siem.count("shipped-1") == 1);
            JsonNode test = cluster.client().raw("SiemService", "Test", Map.of());
            assertThat(test.get("result").get("written").asBoolean()).as(test.toString()).isTrue();
            Await.until(Duration.ofSeconds(15), "the primary's test event", () -> siem.count(test.get("id").asText()) == 1);
            assertThat(siem.count("shipped-1")).as("one SIEM message for one block").isEqualTo(1);

            EventShipper shipper = cluster.agent(0).agent().orElseThrow().eventShipper().orElseThrow();
            assertThat(shipper.shipped()).isEqualTo(1);
            assertThat(shipper.dropped()).isZero();
        }
    }

    long requests(String site) {
        return cluster.client().raw("EventsService", "Stats", Map.of("site", site)).get("requests").asLong();
    }

    @Test
    void aSeparateAgentsRequestsAreCountedInThePrimarysOverviewOncePerRequest() throws Exception {
        EventShipper shipper = cluster.agent(0).agent().orElseThrow().eventShipper().orElseThrow();
        assertThat(requests("shop")).isZero();
        int n = 7;
        for (int i = 0; i < n; i++) {
            assertThat(RawHttp.get(cluster.agent(0).httpAddress(), "shop.test", "/ok-" + i, Map.of()).statusCode()).isEqualTo(200);
        }
        assertThat(block(cluster.agent(0).httpAddress(), "counted-block")).as("a blocked request is a request too").isEqualTo(403);
        // The access event is written as the response ends, so a close may come before the last
        // is counted: each close ships what is counted by then, and the primary adds them up.
        Await.until(Duration.ofSeconds(30), "the agent's requests in the primary's overview", () -> {
            shipper.closeMinutesNow();
            return requests("shop") >= n + 1;
        });
        // a grace period for a double count that must not come: there is no event to wait for
        Thread.sleep(500);
        assertThat(requests("shop")).isEqualTo(n + 1);
        JsonNode stats = cluster.client().raw("EventsService", "Stats", Map.of("site", "shop"));
        long perBucket = 0;
        for (JsonNode b : stats.get("sites").get(0).get("requests")) {
            perBucket += b.asLong();
        }
        assertThat(perBucket).as("requests per site, over time").isEqualTo(n + 1);
        assertThat(stats.get("top_clients").get(0).get("requests").asLong()).as("clients: this node's own data plane only").isZero();
        assertThat(shipper.trafficShipped()).isEqualTo(n + 1);
        assertThat(shipper.trafficDropped()).isZero();
        assertThat(cluster.client().raw("EventsService", "Search", Map.of("type", "access")).get("events"))
                .as("the agent's access events stay on the agent").isEmpty();
    }

    @Test
    void theEmbeddedAgentOfAControlPlaneNodeDoesNotShipItsEventsAppearOnce() throws Exception {
        assertThat(cluster.primary().agent().orElseThrow().eventShipper()).as("its data plane writes into the node's log").isEmpty();
        assertThat(block(cluster.primary().httpAddress(), "embedded-1")).isEqualTo(403);
        assertThat(block(cluster.agent(0).httpAddress(), "separate-1")).isEqualTo(403);
        Await.until(Duration.ofSeconds(30), "both blocks in the explorer", () -> search("separate-1").size() > 0 && search("embedded-1").size() > 0);
        JsonNode local = search("embedded-1");
        assertThat(local).hasSize(1);
        assertThat(local.get(0).has("agent")).as("served by this node").isFalse();
        assertThat(cluster.client().raw("EventsService", "Stats", Map.of("site", "shop")).get("blocked").asLong()).isEqualTo(2);
    }

    @Test
    void eventsWaitOnTheAgentWhileTheControlPlaneIsUnreachable() throws Exception {
        EventShipper shipper = cluster.agent(0).agent().orElseThrow().eventShipper().orElseThrow();
        cluster.isolate(0);
        assertThat(block(cluster.agent(0).httpAddress(), "during-outage")).as("the agent keeps blocking").isEqualTo(403);
        Await.until(Duration.ofSeconds(30), "sends to fail while the agent is cut off", () -> shipper.retries() >= 2);
        assertThat(search("during-outage")).isEmpty();
        assertThat(shipper.shipped()).isZero();
        assertThat(shipper.dropped()).isZero();
        cluster.heal(0);
        Await.until(Duration.ofSeconds(60), "the kept event after the outage", () -> search("during-outage").size() == 1);
        assertThat(shipper.shipped()).isEqualTo(1);
    }

    @Test
    void ingestTakesAgentCredentialsOnlyAndRefusesABadBatchNamingTheField() throws Exception {
        String credential = Json.MAPPER.readTree(root.resolve("agent-0/agent.json").toFile()).get("credential").asText();
        TiyiClient asAgent = TiyiClient.of(cluster.primary().adminUrl(), credential);
        Map<String, Object> event = new java.util.LinkedHashMap<>(Map.of("type", "security", "ts", System.currentTimeMillis(), "request_id",
                "x", "client_ip", "1.1.1.1", "peer", "1.1.1.1", "method", "GET", "host", "shop.test", "path", "/", "action", "blocked"));
        event.putAll(Map.of("status", 403, "rule_ids", List.of(1), "messages", List.of("m"), "matched", "", "anomaly_score", 0));
        assertThatThrownBy(() -> asAgent.raw("EventsService", "Ingest", Map.of("events", List.of(event))))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo("events[0].site is missing");
                });
        event.put("site", "shop");
        assertThat(asAgent.raw("EventsService", "Ingest", Map.of("events", List.of(event))).get("accepted").asInt()).isEqualTo(1);

        List<Map<String, Object>> huge = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Map<String, Object> big = new java.util.LinkedHashMap<>(event);
            big.put("path", "/" + "a".repeat(8000));
            huge.add(big);
        }
        assertThatThrownBy(() -> asAgent.raw("EventsService", "Ingest", Map.of("events", huge)))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(413);
                    assertThat(e.getMessage()).contains("exceeds the limit of 1048576");
                });
        assertThatThrownBy(() -> cluster.client().raw("EventsService", "Ingest", Map.of("events", List.of(event))))
                .as("an admin is no agent").isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
    }

    /** A SIEM receiver: every datagram one message. */
    static final class UdpReceiver implements AutoCloseable {
        final DatagramSocket socket;
        final List<String> received = new CopyOnWriteArrayList<>();
        final Thread reader;

        UdpReceiver() throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            reader = new Thread(() -> {
                byte[] buf = new byte[65_536];
                while (!socket.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                    } catch (java.io.IOException e) {
                        return;
                    }
                    received.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                }
            }, "test-siem-receiver");
            reader.setDaemon(true);
            reader.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        long count(String needle) {
            return received.stream().filter(m -> m.contains(needle)).count();
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
