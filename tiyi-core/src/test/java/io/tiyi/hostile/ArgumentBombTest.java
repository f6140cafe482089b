package io.tiyi.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.RecordingUpstream;
import io.tiyi.testsupport.TestUpstream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two 100,000-argument POSTs in flight at once, while another site on the same node and its
 * {@code /healthz} are measured: inspection runs on the WAF's own threads and within its budget,
 * so neither waits on it. Once with the default argument cap (the bombs are refused as body
 * errors before most of them are parsed) and once with the cap lifted and a budget the
 * inspection cannot meet (the budget stops them).
 */
class ArgumentBombTest {
    @RegisterExtension
    final NodeExtension nodes = NodeExtension.primary();

    TiyiNode node;
    TiyiClient api;
    RecordingUpstream bombed;
    TestUpstream calm;

    @BeforeEach
    void start() throws Exception {
        node = nodes.node();
        api = Hostile.admin(nodes);
        bombed = new RecordingUpstream();
        calm = new TestUpstream("calm");
        Hostile.site(node, api, "shop", "shop.test", bombed.url());
        Hostile.site(node, api, "calm", "calm.test", calm.url());
        Hostile.change(node, api, "WafService", "SetPolicy", Map.of("site", "shop", "mode", "block"));
    }

    @AfterEach
    void stop() throws IOException {
        bombed.close();
        calm.close();
    }


    String bomb() throws IOException {
        StringBuilder b = new StringBuilder(1_900_000);
        for (int i = 0; i < 100_000; i++) {
            b.append(i == 0 ? "" : "&").append("field").append(i).append("=value").append(i);
        }
        byte[] body = b.toString().getBytes(StandardCharsets.ISO_8859_1);
        try (Socket s = new Socket()) {
            s.connect(node.httpAddress(), 2000);
            s.setSoTimeout(120_000);
            s.getOutputStream().write(("POST /form HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write(body);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static long timed(String host, String path) throws IOException {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(node0.httpAddress(), 2000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(r).as(host + path).startsWith("HTTP/1.1 200 ");
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static TiyiNode node0;

    /** Runs two bombs, measuring the calm site and /healthz every 50 ms until both are answered; returns the bombs' answers. */
    List<String> bombWhileMeasuring(List<Long> site, List<Long> health) throws Exception {
        node0 = node;
        CompletableFuture<String> a = CompletableFuture.supplyAsync(this::bombUnchecked);
        CompletableFuture<String> b = CompletableFuture.supplyAsync(this::bombUnchecked);
        while (!(a.isDone() && b.isDone())) {
            site.add(timed("calm.test", "/page"));
            health.add(timed("calm.test", "/healthz"));
            Thread.sleep(50);
        }
        return List.of(a.get(1, TimeUnit.SECONDS), b.get(1, TimeUnit.SECONDS));
    }

    String bombUnchecked() {
        try {
            return bomb();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static long p95(List<Long> ms) {
        List<Long> s = new ArrayList<>(ms);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.95) - 1));
    }

    void assertResponsive(String what, List<Long> site, List<Long> health) {
        System.out.printf("%s: %d probes; other site max %d ms, p95 %d ms; /healthz max %d ms, p95 %d ms%n", what, site.size(),
                Collections.max(site), p95(site), Collections.max(health), p95(health));
        assertThat(Collections.max(site)).as(what + ": slowest GET to the other site, ms").isLessThan(1000);
        assertThat(p95(health)).as(what + ": 95th percentile of /healthz, ms").isLessThan(100);
        assertThat(Collections.max(health)).as(what + ": slowest /healthz, ms").isLessThan(1000);
    }

    @Test
    void theArgumentCapRefusesBombsWithoutStallingOtherSites() throws Exception {
        List<Long> site = new ArrayList<>();
        List<Long> health = new ArrayList<>();
        List<String> answers = bombWhileMeasuring(site, health);
        assertThat(answers).allSatisfy(r -> assertThat(r).startsWith("HTTP/1.1 400 ").contains("request id: "));
        assertResponsive("argument cap", site, health);
        assertThat(bombed.requests()).isEmpty();
    }

    @Test
    void withTheCapLiftedInspectionStillLeavesOtherSitesAlone() throws Exception {
        Hostile.setting(node, api, "waf.limits.max_args", "1000000");
        Hostile.setting(node, api, "waf.limits.max_arg_bytes", "10485760");
        List<Long> site = new ArrayList<>();
        List<Long> health = new ArrayList<>();
        List<String> answers = bombWhileMeasuring(site, health);
        // Inspected in full and forwarded, or stopped by the one-second budget: either way, in its own threads.
        assertThat(answers).allSatisfy(r -> assertThat(r).matches("(?s)HTTP/1\\.1 (200|503) .*"));
        assertResponsive("cap lifted", site, health);
    }

    @Test
    void aBombOverItsBudgetIsRefusedWithAnEvent() throws Exception {
        Hostile.setting(node, api, "waf.limits.max_args", "1000000");
        Hostile.setting(node, api, "waf.limits.max_arg_bytes", "10485760");
        // The built-in rules inspect 100,000 arguments in well under the default second on an idle
        // machine; a budget they cannot meet makes the outcome the same on every machine.
        Hostile.setting(node, api, "waf.budget.time", "20ms");
        String r = bomb();
        assertThat(r).startsWith("HTTP/1.1 503 ").contains("request id: ");
        String id = r.replaceAll("(?s).*X-Request-Id: ([^\r\n]+).*", "$1");
        node.events().flush();
        List<com.fasterxml.jackson.databind.JsonNode> sec = node.events().query("security", 0,
                n -> n.get("request_id").asText().equals(id), 5);
        assertThat(sec).hasSize(1);
        assertThat(sec.get(0).get("rule_ids").toString()).contains("1990010");
        assertThat(bombed.requests()).isEmpty();
    }
}
