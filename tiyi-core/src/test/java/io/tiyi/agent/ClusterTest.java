package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.TiyiCluster;
import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestCerts;
import io.tiyi.testsupport.TestUpstream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A primary and two agents in one JVM, through {@link TiyiCluster}. */
class ClusterTest {
    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(2);

    Path root;
    TiyiCluster cluster;
    TestUpstream up;

    @BeforeEach
    void start() throws Exception {
        up = new TestUpstream("app");
        cluster = clusters.cluster();
        root = clusters.root();
        cluster.client().raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams", List.of(up.url())));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stop() {
        up.close();
    }

    static HttpResponse<String> get(InetSocketAddress via, String path) throws Exception {
        return RawHttp.get(via, "shop.test", path, Map.of());
    }

    @Test
    void everyAgentProxiesTheSitesOfThePrimaryWithItsWafPolicy() throws Exception {
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = get(cluster.agent(i).httpAddress(), "/hello");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"path\":\"/hello\"");
        }
        cluster.client().raw("SystemService", "UpdateSetting", Map.of("key", "proxy.limits.max_header_count", "value", "50"));
        cluster.client().raw("WafService", "SetPolicy", Map.of("site", "shop", "mode", "block", "strict_bodies", false));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        for (int i = 0; i < 2; i++) {
            assertThat(get(cluster.agent(i).httpAddress(), "/search?q=1%27%20or%20%271%27=%271").statusCode()).isEqualTo(403);
        }
        // The agent keeps the bundle it applied as bundle.json, written just after it applies it.
        long appliedSeq = cluster.agent(0).agent().orElseThrow().appliedVersion()[1];
        io.tiyi.proxy.RuntimeConfig applied = Await.value(Duration.ofSeconds(10), "agent-0's bundle.json at the applied version", () -> {
            try {
                io.tiyi.bundle.SignedBundle onDisk = io.tiyi.internal.Json.MAPPER.readValue(root.resolve("agent-0/bundle.json").toFile(),
                        io.tiyi.bundle.SignedBundle.class);
                io.tiyi.bundle.Bundle b = io.tiyi.internal.Json.MAPPER.readValue(onDisk.payload(), io.tiyi.bundle.Bundle.class);
                return java.util.Optional.of(b.runtime()).filter(r -> b.seq() >= appliedSeq);
            } catch (java.io.IOException e) {
                return java.util.Optional.empty();
            }
        });
        assertThat(applied.limits().maxHeaderCount()).as("settings travel to agents in the bundle").isEqualTo(50);
        assertThat(applied.sites().get(0).waf().strictBodies()).isFalse();
        assertThat(applied.sites().get(0).waf().profile()).as("a site's first policy").isEqualTo("standard");
        TiyiClient api = cluster.client();
        List<String> tags = new java.util.ArrayList<>();
        api.raw("AgentsService", "List", Map.of()).get("agents").forEach(a -> tags.add(a.get("tag").asText()));
        assertThat(tags).as("the primary's own data plane is an agent too").containsExactlyInAnyOrder("embedded", "agent-0", "agent-1");
    }

    @Test
    void theAgentsReportTheirBundleVersionAndTheFleetViewShowsIt() throws Exception {
        TiyiNode a = cluster.agent(0);
        a.agent().orElseThrow().report();
        String id = a.agent().orElseThrow().agentId();
        var view = cluster.client().raw("AgentsService", "Get", Map.of("id", id));
        long[] v = a.agent().orElseThrow().appliedVersion();
        assertThat(view.get("bundle_version").asText()).isEqualTo(v[0] + "." + v[1]);
        assertThat(view.get("health").asText()).isEqualTo("ok");
        assertThat(view.get("lag").asLong()).isZero();
        assertThat(view.get("address").asText()).isEqualTo("127.0.0.1:" + a.httpAddress().getPort());
    }

    @Test
    void agentsKeepServingWithoutTheControlPlaneAndAfterARestart() throws Exception {
        cluster.isolate(0);
        cluster.client().raw("SitesService", "Update", Map.of("name", "shop", "hosts", List.of("shop.test", "www.shop.test"), "upstreams",
                List.of(up.url())));
        assertThat(get(cluster.agent(0).httpAddress(), "/during-outage").statusCode()).isEqualTo(200);
        cluster.heal(0);
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(40))).as("the isolated agent catches up").isTrue();

        cluster.killPrimary();
        assertThat(get(cluster.agent(1).httpAddress(), "/primary-down").statusCode()).isEqualTo(200);
        TiyiNode restarted = cluster.restartAgent(1);
        assertThat(restarted.agent().orElseThrow().controlPlaneReachable()).isFalse();
        assertThat(get(restarted.httpAddress(), "/after-restart").statusCode()).as("served from the last good bundle").isEqualTo(200);
    }

    @Test
    void theAgentsFilesAreItsOwnersOnlyAndHoldNoTlsKeyInClear() throws Exception {
        Path dir = root.resolve("agent-0");
        for (String f : List.of("agent.json", "pin.json", "bundle.json")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f)))).as(f).isEqualTo("rw-------");
        }
        assertThat(Files.readString(dir.resolve("bundle.json"))).doesNotContain("PRIVATE KEY");
    }

    @Test
    void aRevokedAgentIsRefusedAtOnceAndKeepsServing() throws Exception {
        String id = cluster.agent(0).agent().orElseThrow().agentId();
        cluster.client().raw("AgentsService", "Revoke", Map.of("id", id));
        String credential = io.tiyi.internal.Json.MAPPER.readTree(root.resolve("agent-0/agent.json").toFile()).get("credential").asText();
        assertThatThrownBy(() -> TiyiClient.of(cluster.primary().adminUrl(), credential).raw("BundlesService", "Watch",
                Map.of("after_epoch", 0, "after_seq", 0, "timeout_ms", 0)))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
        assertThat(get(cluster.agent(0).httpAddress(), "/still-serving").statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenIsSingleUseAndExpiredOrRevokedTokensAreRefusedWithTheReason() {
        TiyiClient api = cluster.client();
        String used = api.raw("AgentsService", "ListTokens", Map.of()).get("tokens").get(0).get("state").asText();
        assertThat(used).isEqualTo("used");
        String t = api.raw("AgentsService", "IssueToken", Map.of("tag", "edge", "ttl", "1h")).get("token").asText();
        TiyiNode first = TiyiNode.builder().role(io.tiyi.cluster.Role.AGENT).config(io.tiyi.testsupport.TestNodes.config(root.resolve("x")))
                .agentApi(cluster.primary().adminUrl()).enrollmentToken(t).build().start();
        first.close();
        assertThatThrownBy(() -> TiyiNode.builder().role(io.tiyi.cluster.Role.AGENT).config(io.tiyi.testsupport.TestNodes.config(root.resolve("y")))
                .agentApi(cluster.primary().adminUrl()).enrollmentToken(t).build().start()).hasMessageContaining("was already used");

        var revoked = api.raw("AgentsService", "IssueToken", Map.of("tag", "edge"));
        api.raw("AgentsService", "RevokeToken", Map.of("id", revoked.get("id").asText()));
        assertThatThrownBy(() -> TiyiNode.builder().role(io.tiyi.cluster.Role.AGENT).config(io.tiyi.testsupport.TestNodes.config(root.resolve("z")))
                .agentApi(cluster.primary().adminUrl()).enrollmentToken(revoked.get("token").asText()).build().start())
                .hasMessageContaining("was revoked");
        assertThatThrownBy(() -> api.raw("AgentsService", "IssueToken", Map.of("tag", "edge", "ttl", "forever")))
                .hasMessageContaining("ttl must be a duration");
    }

    @Test
    void afterASigningKeyRotationAgentsRefuseNewBundlesAndSayWhy() throws Exception {
        cluster.client().raw("BundlesService", "RotateSigningKey", Map.of("yes", true));
        long update = cluster.primary().status().lastSeq() + 1;
        cluster.client().raw("SitesService", "Update", Map.of("name", "shop", "hosts", List.of("shop.test", "new.shop.test"), "upstreams",
                List.of(up.url())));
        AgentRuntime a = cluster.agent(0).agent().orElseThrow();
        Await.until(Duration.ofSeconds(20), "agent-0 to refuse the bundle signed with the new key", () -> a.currentReport().refused() != null);
        assertThat(a.currentReport().refused()).startsWith("other_signing_key").contains("refusing to re-pin");
        assertThat(a.appliedVersion()[1]).as("nothing signed with the new key is applied").isLessThan(update);
        AgentRuntime own = cluster.primary().agent().orElseThrow();
        Await.until(Duration.ofSeconds(20), "the primary's own data plane to apply seq " + update, () -> own.appliedVersion()[1] >= update);
        assertThat(own.appliedVersion()[1]).as("the primary's own data plane trusts its new key").isGreaterThanOrEqualTo(update);
        assertThat(get(cluster.agent(0).httpAddress(), "/still").statusCode()).isEqualTo(200);
    }

    @Test
    void tlsKeysTravelSealedAndEachAgentServesHttps() throws Exception {
        TestCerts.Pem cert = TestCerts.valid("shop.test", "shop.test");
        cluster.client().raw("CertificatesService", "Import", Map.of("name", "shop", "cert_pem", cert.certPem(), "key_pem", cert.keyPem()));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        for (int i = 0; i < 2; i++) {
            TiyiNode a = cluster.agent(i);
            Await.until(Duration.ofSeconds(20), "agent-" + i + " to listen for HTTPS", () -> a.httpsAddress().isPresent());
            HttpResponse<String> r = RawHttp.getTls(a.httpsAddress().orElseThrow(), "shop.test", "/tls", TestCerts.trusting(cert));
            assertThat(r.statusCode()).isEqualTo(200);
        }
        io.tiyi.bundle.SignedBundle onDisk = io.tiyi.internal.Json.MAPPER.readValue(root.resolve("agent-0/bundle.json").toFile(),
                io.tiyi.bundle.SignedBundle.class);
        String payload = new String(onDisk.payload(), java.nio.charset.StandardCharsets.UTF_8);
        String keyBody = cert.keyPem().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        assertThat(payload).doesNotContain(keyBody).contains("\"key_pkcs8\":null").contains("\"sealed_keys\":{\"shop\":");
        byte[] der = java.util.Base64.getMimeDecoder().decode(cert.keyPem().replaceAll("-----[A-Z ]+-----", ""));
        assertThat(java.util.HexFormat.of().formatHex(onDisk.payload())).doesNotContain(java.util.HexFormat.of().formatHex(der, 0, 48));
    }

    @Test
    void theCrsTravelsByHashAndAgentsBlockWithIt() throws Exception {
        Path crs = Path.of("../../shared/crs").toAbsolutePath().normalize();
        cluster.client().raw("SystemService", "UpdateSetting", Map.of("key", "waf.crs_dir", "value", crs.toString()));
        cluster.client().raw("WafService", "SetPolicy", Map.of("site", "shop", "mode", "block"));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(60))).isTrue();
        for (int i = 0; i < 2; i++) {
            assertThat(get(cluster.agent(i).httpAddress(), "/?q=%3Cscript%3Ealert(1)%3C/script%3E").statusCode()).isEqualTo(403);
            try (var dirs = Files.list(root.resolve("agent-" + i + "/rules"))) {
                Path rules = dirs.findFirst().orElseThrow();
                assertThat(rules.resolve("rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf")).isRegularFile();
            }
        }
        // The site's first policy got the standard profile: agents take gzip-encoded and text/plain
        // bodies, inspect them (decoded), and block the attack inside; with the CRS as it ships they refuse both.
        byte[] benign = io.tiyi.testsupport.Gzip.gzip("name=Ada&comment=See+you+on+Tuesday");
        byte[] attack = io.tiyi.testsupport.Gzip.gzip("comment=<script>alert(document.cookie)</script>");
        Map<String, String> gz = Map.of("Content-Type", "application/x-www-form-urlencoded", "Content-Encoding", "gzip");
        Map<String, String> text = Map.of("Content-Type", "text/plain;charset=UTF-8");
        byte[] beacon = "{\"t\":\"pageview\",\"path\":\"/pricing\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.net.InetAddress local = java.net.InetAddress.getLoopbackAddress();
        for (int i = 0; i < 2; i++) {
            InetSocketAddress a = cluster.agent(i).httpAddress();
            assertThat(RawHttp.post(a, local, "shop.test", "/form", gz, benign).statusCode()).as("agent-%d, gzip form", i).isEqualTo(200);
            assertThat(RawHttp.post(a, local, "shop.test", "/collect", text, beacon).statusCode()).as("agent-%d, beacon", i).isEqualTo(200);
            assertThat(RawHttp.post(a, local, "shop.test", "/form", gz, attack).statusCode()).as("agent-%d, gzip attack", i).isEqualTo(403);
        }
        cluster.client().raw("WafService", "SetPolicy", Map.of("site", "shop", "profile", "crs"));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(60))).isTrue();
        for (int i = 0; i < 2; i++) {
            InetSocketAddress a = cluster.agent(i).httpAddress();
            assertThat(RawHttp.post(a, local, "shop.test", "/form", gz, benign).statusCode()).as("agent-%d, crs, gzip form", i).isEqualTo(403);
            assertThat(RawHttp.post(a, local, "shop.test", "/collect", text, beacon).statusCode()).as("agent-%d, crs, beacon", i).isEqualTo(403);
        }
    }

}
