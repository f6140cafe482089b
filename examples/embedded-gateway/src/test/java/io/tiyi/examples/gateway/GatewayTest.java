package io.tiyi.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.waf.WafEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GatewayTest {
    static Gateway gateway;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        gateway = Gateway.start("127.0.0.1", 0, Path.of(System.getProperty("tiyi.crs.dir", "../../../shared/crs")));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.header("User-Agent", "gateway-test/1.0").header("Accept", "*/*").build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery);
    }

    @Test
    void benignTrafficReachesTheRoutes() throws Exception {
        HttpResponse<String> hello = send(HttpRequest.newBuilder(uri("/hello")));
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("hello\n");

        HttpResponse<String> products = send(HttpRequest.newBuilder(uri("/products?q=blue+shoes")));
        assertThat(products.statusCode()).isEqualTo(200);
        assertThat(products.body()).isEqualTo("products matching blue shoes\n");

        HttpResponse<String> order = send(HttpRequest.newBuilder(uri("/orders")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"A-1\",\"qty\":2}")));
        assertThat(order.statusCode()).isEqualTo(201);
        assertThat(order.body()).as("the blocking route reads the body the WAF inspected").isEqualTo("{\"sku\":\"A-1\",\"qty\":2}");
    }

    @Test
    void sqlInjectionIsBlockedWith403AndReported() throws Exception {
        gateway.securityEvents().clear();
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/products?q=1%27%20or%20%271%27%3D%271")));
        assertThat(r.statusCode()).isEqualTo(403);

        WafEvent event = gateway.securityEvents().poll(10, TimeUnit.SECONDS);
        assertThat(event).isNotNull();
        assertThat(event.blocked()).isTrue();
        assertThat(event.interruption().orElseThrow().ruleId()).as("CRS's inbound anomaly score rule").isEqualTo(949110);
        assertThat(event.matchedRules()).extracting(m -> m.id()).contains(942100L);
    }

    @Test
    void sqlInjectionInAJsonBodyIsBlockedBeforeTheBlockingRouteRuns() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/orders")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"1' UNION SELECT password FROM users--\",\"qty\":1}")));
        assertThat(r.statusCode()).isEqualTo(403);
    }
}
