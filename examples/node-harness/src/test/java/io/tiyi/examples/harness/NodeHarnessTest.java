package io.tiyi.examples.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.SitesService;
import io.tiyi.client.rpc.SystemService;
import io.tiyi.client.rpc.WafService;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        api.call(SystemService.UPDATE_SETTING, new SystemService.UpdateRequest("waf.crs_dir", crs));
        api.call(SitesService.CREATE, new SitesService.PutRequest("shop", List.of("shop.test"),
                List.of("http://127.0.0.1:" + upstreamPort), null, null, null));
        api.call(WafService.SET_POLICY, new WafService.SetRequest("shop", "block", null, null, null, null));
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
        assertThat(api.call(SitesService.GET, new SitesService.NameRequest("shop")).get("hosts").get(0).asText()).isEqualTo("shop.test");
        assertThat(api.call(WafService.GET_POLICY, new WafService.SiteRequest("shop")).get("mode").asText()).isEqualTo("block");
    }
}
