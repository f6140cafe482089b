package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiNode;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestUpstream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The WAF in the data plane of a real node: policies, blocking, exclusions, security events. */
class DataPlaneWafTest {
    static final Path CRS = Path.of("../../shared/crs").toAbsolutePath().normalize();

    @RegisterExtension
    final NodeExtension nodes = NodeExtension.primary();

    Path dir;

    TiyiNode node;
    TiyiClient api;
    TestUpstream up;

    @BeforeEach
    void start() {
        node = nodes.node();
        dir = nodes.stateDir();
        api = TiyiClient.of(node.adminUrl(), LocalAdminCredential.read(dir).orElseThrow().token());
        up = new TestUpstream("app");
        api.raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams", List.of(up.url())));
        long seq = node.status().lastSeq();
        long deadline = System.currentTimeMillis() + 30_000;
        while (node.runtimeVersion() < seq && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
    }

    @AfterEach
    void stop() {
        up.close();
    }

    void await(java.util.function.BooleanSupplier cond) {
        Await.until(java.time.Duration.ofSeconds(30), "condition within 30 s", cond);
    }

    HttpResponse<String> get(String path) throws Exception {
        return RawHttp.get(node.httpAddress(), "shop.test", path, Map.of());
    }

    static String post(InetSocketAddress addr, String path, String form) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(addr, 2000);
            String req = "POST " + path + " HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + form.length() + "\r\n\r\n" + form;
            s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    void setPolicy(Map<String, Object> policy) throws InterruptedException {
        api.raw("WafService", "SetPolicy", policy);
        long seq = node.status().lastSeq();
        await(() -> node.runtimeVersion() >= seq);
    }

    @Test
    void builtInRulesDetectByDefaultAndBlockWhenAsked() throws Exception {
        String attack = "/search?q=1%27%20or%20%271%27=%271";
        HttpResponse<String> detected = get(attack);
        assertThat(detected.statusCode()).isEqualTo(200);
        setPolicy(Map.of("site", "shop", "mode", "block"));
        HttpResponse<String> blocked = get(attack);
        assertThat(blocked.statusCode()).isEqualTo(403);
        String id = blocked.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(blocked.body()).contains("blocked by the web application firewall").contains("request id: " + id);
        assertThat(get("/search?q=shoes").statusCode()).isEqualTo(200);
        assertThat(post(node.httpAddress(), "/comment", "name=Ann&text=Nice+shoes")).startsWith("HTTP/1.1 200")
                .contains("\"body\":\"name=Ann&text=Nice+shoes\"");
        assertThat(post(node.httpAddress(), "/comment", "name=Ann&text=%3Cscript%3Ealert(1)%3C%2Fscript%3E")).startsWith("HTTP/1.1 403");

        node.events().flush();
        List<JsonNode> sec = node.events().query("security", 0, n -> true, 100);
        assertThat(sec).hasSizeGreaterThanOrEqualTo(3);
        assertThat(sec).anySatisfy(n -> assertThat(n.get("action").asText()).isEqualTo("detected"));
        JsonNode b = sec.stream().filter(n -> n.get("request_id").asText().equals(id)).findFirst().orElseThrow();
        assertThat(b.get("action").asText()).isEqualTo("blocked");
        assertThat(b.get("rule_ids").toString()).contains("1999300");
        assertThat(b.get("site").asText()).isEqualTo("shop");

        api.raw("WafService", "AddExclusion", Map.of("site", "shop", "rule_id", 1999300, "path_prefix", "/search"));
        await(() -> {
            try {
                return get(attack).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(post(node.httpAddress(), "/other?q=1%27%20or%20%271%27=%271", "a=b")).startsWith("HTTP/1.1 403");

        api.raw("WafService", "AddExclusion", Map.of("site", "shop", "tag", "attack-xss", "target", "ARGS:text"));
        await(() -> {
            try {
                return post(node.httpAddress(), "/comment", "name=Ann&text=%3Cscript%3Ealert(1)%3C%2Fscript%3E").startsWith("HTTP/1.1 200");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(post(node.httpAddress(), "/comment", "name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&text=x")).startsWith("HTTP/1.1 403");
    }

    @Test
    void strictBodiesAreOnByDefaultAndASiteCanTurnThemOff() throws Exception {
        assertThat(api.raw("WafService", "GetPolicy", Map.of("site", "shop")).get("strict_bodies").asBoolean()).isTrue();
        api.raw("SystemService", "UpdateSetting", Map.of("key", "waf.limits.max_args", "value", "3"));
        setPolicy(Map.of("site", "shop", "mode", "block", "strict_bodies", false));
        JsonNode p = api.raw("WafService", "GetPolicy", Map.of("site", "shop"));
        assertThat(p.get("strict_bodies").asBoolean()).isFalse();
        assertThat(p.get("mode").asText()).isEqualTo("block");
        assertThat(post(node.httpAddress(), "/form", "a=1&b=2")).startsWith("HTTP/1.1 200");
        setPolicy(Map.of("site", "shop", "paranoia", 2));
        assertThat(api.raw("WafService", "GetPolicy", Map.of("site", "shop")).get("strict_bodies").asBoolean())
                .as("a change that does not name the switch keeps it").isFalse();
    }

    @Test
    void crsBlocksSqlInjectionAndPassesBenignTraffic() throws Exception {
        boolean have = Files.isDirectory(CRS.resolve("rules"));
        if (!have && "1".equals(System.getenv("TIYI_REQUIRE_EXTERNAL"))) {
            throw new AssertionError("CRS not found at " + CRS);
        }
        Assumptions.assumeTrue(have, "CRS not found at " + CRS);
        api.raw("SystemService", "UpdateSetting", Map.of("key", "waf.crs_dir", "value", CRS.toString()));
        setPolicy(Map.of("site", "shop", "mode", "block", "paranoia", 1));
        HttpResponse<String> r = get("/?q=1%27%20or%20%271%27=%271");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(get("/products?id=42&sort=price").statusCode()).isEqualTo(200);
        assertThat(post(node.httpAddress(), "/checkout", "name=John+Smith&city=Springfield&qty=2")).startsWith("HTTP/1.1 200");
        node.events().flush();
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        JsonNode ev = node.events().query("security", 0, n -> n.get("request_id").asText().equals(id), 10).get(0);
        assertThat(ev.get("rule_ids").toString()).contains("942100");
        assertThat(ev.get("anomaly_score").asInt()).isGreaterThanOrEqualTo(5);
    }
}
