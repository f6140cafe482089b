package io.tiyi.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.TiyiCluster;
import io.tiyi.client.rpc.SitesService;
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
 * A primary and two agents started in the test's JVM with {@link TiyiCluster}, a site created
 * through the Java API client, and traffic asserted through both agents, including while the
 * primary is down.
 */
class ClusterHarnessTest {
    @TempDir
    static Path root;

    static Undertow upstream;
    static TiyiCluster cluster;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    // tag::cluster[]
    @BeforeAll
    static void startCluster() throws Exception {
        upstream = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(exchange -> exchange.getResponseSender().send("upstream saw " + exchange.getRequestURI()))
                .build();
        upstream.start();
        int upstreamPort = ((InetSocketAddress) upstream.getListenerInfo().get(0).getAddress()).getPort();

        cluster = TiyiCluster.builder().root(root).agents(2).build().start();
        cluster.client().call(SitesService.CREATE, new SitesService.PutRequest("shop", List.of("shop.test"),
                List.of("http://127.0.0.1:" + upstreamPort), null, null, null));
        cluster.client().call(WafService.SET_POLICY, new WafService.SetRequest("shop", "block", null, null, null, null));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).as("every agent runs the latest bundle").isTrue();
    }

    static HttpResponse<String> get(InetSocketAddress edge, String pathAndQuery) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.getPort() + pathAndQuery))
                .header("Host", "shop.test")
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bothAgentsProxyTheSiteAndBlockAttacks() throws Exception {
        for (int i = 0; i < cluster.agentCount(); i++) {
            InetSocketAddress edge = cluster.agent(i).httpAddress();
            assertThat(get(edge, "/products").body()).isEqualTo("upstream saw /products");
            assertThat(get(edge, "/products?q=1%27%20or%20%271%27%3D%271").statusCode()).isEqualTo(403);
        }
    }
    // end::cluster[]

    @Test
    void agentsKeepServingWhileAnAgentIsCutOffTheControlPlane() throws Exception {
        cluster.isolate(0);
        assertThat(get(cluster.agent(0).httpAddress(), "/during-isolation").statusCode()).isEqualTo(200);
        cluster.heal(0);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (upstream != null) {
            upstream.stop();
        }
    }
}
