package io.tiyi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The trust profile through the API and the data plane of an agent, and the Origin Bypass Attempt alert it feeds. */
class TrustAndAlertsTest {
    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(1);

    TiyiCluster cluster;
    TestUpstream up;
    TiyiClient api;

    @BeforeEach
    void start() throws Exception {
        up = new TestUpstream("app");
        cluster = clusters.cluster();
        api = cluster.client();
        api.raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams", List.of(up.url())));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stop() {
        up.close();
    }

    JsonNode test(String peer, String... headers) {
        return api.raw("TrustService", "Test", Map.of("peer", peer, "headers", List.of(headers)));
    }

    @Test
    void theProductionGuidesExamplesResolveAsItSays() {
        api.raw("TrustService", "Set", Map.of("trusted_proxies", List.of("10.0.0.0/8", "172.16.0.0/12"), "client_ip_headers",
                List.of("X-Forwarded-For")));
        JsonNode behindProxy = test("10.0.0.5", "X-Forwarded-For: 1.2.3.4, 10.0.0.5");
        assertThat(behindProxy.get("client").asText()).isEqualTo("1.2.3.4");
        assertThat(behindProxy.get("bypass_attempt").asBoolean()).isFalse();
        assertThat(behindProxy.get("steps").toString()).contains("10.0.0.0/8");
        JsonNode direct = test("203.0.113.9", "X-Forwarded-For: 1.2.3.4");
        assertThat(direct.get("client").asText()).isEqualTo("203.0.113.9");
        assertThat(direct.get("bypass_attempt").asBoolean()).isTrue();
        JsonNode shown = api.raw("TrustService", "Get", Map.of());
        assertThat(shown.get("trusted_proxies").toString()).isEqualTo("[\"10.0.0.0/8\",\"172.16.0.0/12\"]");
    }

    @Test
    void badValuesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> api.raw("TrustService", "Set", Map.of("trusted_proxies", List.of("10.0.0.0/33"))))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("trusted_proxies").contains("10.0.0.0/33");
                });
        assertThatThrownBy(() -> api.raw("TrustService", "Set", Map.of("client_ip_headers", List.of("X-Client"))))
                .hasMessageContaining("client_ip_headers");
        assertThatThrownBy(() -> api.raw("TrustService", "Set", Map.of("cdn_providers", List.of("akamai"))))
                .hasMessageContaining("cdn_providers");
        assertThatThrownBy(() -> test("not-an-ip")).hasMessageContaining("--peer");
        assertThatThrownBy(() -> test("10.0.0.1", "no colon")).hasMessageContaining("Name: value");
        assertThat(api.raw("TrustService", "Get", Map.of()).get("trusted_proxies")).isEmpty();
    }

    @Test
    void theAgentsDataPlaneAndWafSeeTheResolvedClient() throws Exception {
        api.raw("WafService", "SetPolicy", Map.of("site", "shop", "mode", "block", "custom_rules",
                "SecRule REMOTE_ADDR \"@ipMatch 1.2.3.4\" \"id:10001,phase:1,deny,status:403,log,msg:'blocked client'\""));
        api.raw("TrustService", "Set", Map.of("trusted_proxies", List.of("127.0.0.0/8"), "client_ip_headers", List.of("X-Forwarded-For")));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        var edge = cluster.agent(0).httpAddress();
        HttpResponse<String> blocked = RawHttp.get(edge, "shop.test", "/a", Map.of("X-Forwarded-For", "1.2.3.4"));
        assertThat(blocked.statusCode()).as("the WAF's REMOTE_ADDR is the client the trusted peer forwarded").isEqualTo(403);
        assertThat(RawHttp.get(edge, "shop.test", "/b", Map.of("X-Forwarded-For", "5.6.7.8")).statusCode()).isEqualTo(200);
        var events = cluster.agent(0).events();
        List<JsonNode> seen = Await.value(Duration.ofSeconds(10), "the access event of /b", () -> Optional.of(
                events.query("access", 0, n -> "/b".equals(n.path("path").asText()), 10)).filter(l -> !l.isEmpty()));
        assertThat(seen).singleElement().satisfies(a -> {
            assertThat(a.get("client_ip").asText()).isEqualTo("5.6.7.8");
            assertThat(a.get("peer").asText()).isEqualTo("127.0.0.1");
        });
    }

    @Test
    void aClientIpClaimThroughAnUntrustedPeerFiresOriginBypassAttemptOncePerWindow() throws Exception {
        api.raw("TrustService", "Set", Map.of("trusted_proxies", List.of("10.0.0.0/8"), "client_ip_headers", List.of("X-Forwarded-For")));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        var edge = cluster.agent(0).httpAddress();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = RawHttp.get(edge, "shop.test", "/x", Map.of("X-Forwarded-For", "1.2.3.4"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"x-forwarded-for\"");
        }
        cluster.agent(0).agent().orElseThrow().report();
        JsonNode firings = Await.value(Duration.ofSeconds(10), "an alert firing", () -> Optional.of(
                api.raw("AlertsService", "List", Map.of()).get("firings")).filter(f -> !f.isEmpty()));
        assertThat(firings).hasSize(1);
        JsonNode f = firings.get(0);
        assertThat(f.get("title").asText()).isEqualTo("Origin Bypass Attempt");
        assertThat(f.get("detail").asText()).contains("127.0.0.1 -> shop.test");
        RawHttp.get(edge, "shop.test", "/y", Map.of("X-Forwarded-For", "1.2.3.4"));
        cluster.agent(0).agent().orElseThrow().report();
        // a grace period for a second firing that must not come: there is no event to wait for
        Thread.sleep(300);
        assertThat(api.raw("AlertsService", "List", Map.of()).get("firings")).as("one firing per window").hasSize(1);

        JsonNode acked = api.raw("AlertsService", "Ack", Map.of("id", f.get("id").asLong()));
        assertThat(acked.get("acked_by").asText()).isEqualTo("local-admin");
        assertThat(api.raw("AlertsService", "List", Map.of("unacked_only", true)).get("firings")).isEmpty();
        JsonNode rule = api.raw("AlertsService", "UpdateRule", Map.of("name", "origin-bypass-attempt", "enabled", false, "threshold", 10));
        assertThat(rule.get("enabled").asBoolean()).isFalse();
        assertThat(rule.get("threshold").asInt()).isEqualTo(10);
        assertThatThrownBy(() -> api.raw("AlertsService", "UpdateRule", Map.of("name", "origin-bypass-attempt", "window_seconds", 1)))
                .hasMessageContaining("--window");
        assertThatThrownBy(() -> api.raw("AlertsService", "Ack", Map.of("id", 999))).hasMessageContaining("no alert firing with id 999");
    }

    @Test
    void cdnListsAreBuiltInAndARefreshThatFailsKeepsThem() {
        JsonNode list = api.raw("TrustService", "CdnList", Map.of()).get("providers");
        assertThat(list).hasSize(2);
        for (JsonNode p : list) {
            assertThat(p.get("ranges").asInt()).as(p.get("provider").asText()).isGreaterThan(5);
            assertThat(p.get("refreshed_at").asLong()).isZero();
        }
        api.raw("SystemService", "UpdateSetting", Map.of("key", "trust.cdn.fastly.url", "value", "https://127.0.0.1:1/public-ip-list"));
        assertThatThrownBy(() -> api.raw("TrustService", "CdnRefresh", Map.of("provider", "fastly")))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.getMessage()).contains("the stored list is kept"));
        assertThat(api.raw("TrustService", "CdnList", Map.of()).get("providers").toString()).isEqualTo(list.toString());
        assertThatThrownBy(() -> api.raw("SystemService", "UpdateSetting", Map.of("key", "trust.cdn.fastly.url", "value",
                "http://example.test/list"))).hasMessageContaining("https://");
        assertThatThrownBy(() -> api.raw("TrustService", "CdnRefresh", Map.of("provider", "akamai"))).hasMessageContaining("unknown CDN");
    }
}
