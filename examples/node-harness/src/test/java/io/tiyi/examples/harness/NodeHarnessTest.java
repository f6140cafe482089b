package io.tiyi.examples.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiClient;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Tiyi primary started in the test's JVM on free ports, configured through the Java API client
 * the CLI uses, with traffic sent through its data plane to an upstream the test runs too.
 */
class NodeHarnessTest {
    @TempDir
    static Path stateDir;

    static Undertow upstream;
    static TiyiNode node;
    static TiyiClient api;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    // tag::harness[]
    @BeforeAll
    static void startNode() throws Exception {
        upstream = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(exchange -> exchange.getResponseSender().send("upstream saw " + exchange.getRequestURI()))
                .build();
        upstream.start();
        int upstreamPort = ((InetSocketAddress) upstream.getListenerInfo().get(0).getAddress()).getPort();

        node = TiyiNode.builder()
                .stateDir(stateDir)
                .adminAddress("127.0.0.1:0")
                .httpAddress("127.0.0.1:0")
                .httpsAddress("127.0.0.1:0")
                .build()
                .start();
        api = node.client();
        String crs = Path.of(System.getProperty("tiyi.crs.dir", "../../../shared/crs")).toAbsolutePath().normalize().toString();
        api.call("SystemService", "UpdateSetting", Map.of("key", "waf.crs_dir", "value", crs));
        api.call("SitesService", "Create", Map.of(
                "name", "shop",
                "hosts", List.of("shop.test"),
                "upstreams", List.of("http://127.0.0.1:" + upstreamPort)));
        api.call("WafService", "SetPolicy", Map.of("site", "shop", "mode", "block"));
        assertThat(node.awaitDataPlane(Duration.ofSeconds(30))).as("configuration applied").isTrue();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (upstream != null) {
            upstream.stop();
        }
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        InetSocketAddress dataPlane = node.httpAddress();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dataPlane.getPort() + pathAndQuery))
                .header("Host", "shop.test")
                .header("User-Agent", "node-harness/1.0")
                .header("Accept", "*/*")
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBenignRequestPassesToTheUpstream() throws Exception {
        HttpResponse<String> r = get("/products?q=shoes");
        assertThat(r.body()).isEqualTo("upstream saw /products");
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void sqlInjectionIsBlockedByTheSitePolicy() throws Exception {
        HttpResponse<String> r = get("/products?q=1%27%20or%20%271%27%3D%271");
        assertThat(r.statusCode()).isEqualTo(403);
    }
    // end::harness[]

    @Test
    void theSiteIsVisibleThroughTheApi() {
        assertThat(api.call("SitesService", "Get", Map.of("name", "shop")).get("hosts").get(0).asText()).isEqualTo("shop.test");
        assertThat(api.call("WafService", "GetPolicy", Map.of("site", "shop")).get("mode").asText()).isEqualTo("block");
    }
}
