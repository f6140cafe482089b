package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiNode;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.internal.Json;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestCerts;
import io.tiyi.testsupport.TestUpstream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The data plane of a real node, proxying to real upstreams on loopback. */
class DataPlaneTest {
    @RegisterExtension
    final NodeExtension nodes = NodeExtension.primary();

    TiyiNode node;
    TiyiClient api;
    final List<TestUpstream> upstreams = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() {
        node = nodes.node();
        api = TiyiClient.of(node.adminUrl(), LocalAdminCredential.read(nodes.stateDir()).orElseThrow().token());
    }

    @AfterEach
    void stop() {
        upstreams.forEach(TestUpstream::close);
    }

    TestUpstream upstream(String name) {
        TestUpstream u = new TestUpstream(name);
        upstreams.add(u);
        return u;
    }

    void createSite(String name, List<String> hosts, List<String> ups) {
        long before = version();
        api.raw("SitesService", "Create", Map.of("name", name, "hosts", hosts, "upstreams", ups));
        awaitVersionAbove(before);
    }

    long version() {
        return node.runtimeVersion();
    }

    /**
     * Waits for the configuration of every mutation committed so far: a version above {@code v}
     * alone may be an earlier mutation's (the node's own start-up ones) applied after {@code v} was read.
     */
    void awaitVersionAbove(long v) {
        long seq = node.status().lastSeq();
        long deadline = System.currentTimeMillis() + 30_000;
        while ((version() <= v || version() < seq) && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(version()).isGreaterThan(v).isGreaterThanOrEqualTo(seq);
    }

    HttpResponse<String> get(String host, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + path));
        headers.forEach(b::header);
        // java.net.http refuses to set Host; go through a raw request when a Host is needed.
        if (host == null) {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
        return RawHttp.get(node.httpAddress(), host, path, headers);
    }

    JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void roundRobinsOverBothUpstreamsAndRelaysForwardingHeaders() throws Exception {
        TestUpstream a = upstream("a");
        TestUpstream b = upstream("b");
        createSite("demo", List.of("localhost"), List.of(a.url(), b.url()));
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = get("localhost", "/x?y=1", Map.of());
            assertThat(r.statusCode()).isEqualTo(200);
            seen.merge(json(r).get("upstream").asText(), 1, Integer::sum);
        }
        assertThat(seen).containsOnlyKeys("a", "b");
        assertThat(seen.get("a")).isEqualTo(5);

        HttpResponse<String> r = get("localhost", "/h", Map.of("X-Request-Id", "abc-123", "X-Forwarded-For", "6.6.6.6"));
        JsonNode h = json(r).get("headers");
        assertThat(h.get("x-request-id").asText()).isEqualTo("abc-123");
        assertThat(r.headers().firstValue("X-Request-Id")).contains("abc-123");
        assertThat(h.get("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
        assertThat(h.get("x-forwarded-proto").asText()).isEqualTo("http");
        assertThat(h.get("x-forwarded-host").asText()).isEqualTo("localhost");
        assertThat(h.get("host").asText()).isEqualTo("localhost");

        HttpResponse<String> bad = get("localhost", "/h", Map.of("X-Request-Id", "not valid <script>"));
        assertThat(json(bad).get("headers").get("x-request-id").asText()).matches("[A-Za-z0-9_-]{16}");
    }

    @Test
    void deadUpstreamIsEjectedAndRequestsRetriedThenBadGatewayWithRequestId() throws Exception {
        TestUpstream a = upstream("a");
        TestUpstream b = upstream("b");
        createSite("demo", List.of("localhost"), List.of(a.url(), b.url()));
        a.close();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = get("localhost", "/", Map.of());
            assertThat(r.statusCode()).as("request %d", i).isEqualTo(200);
            assertThat(json(r).get("upstream").asText()).isEqualTo("b");
        }
        b.close();
        HttpResponse<String> r = get("localhost", "/", Map.of());
        assertThat(r.statusCode()).isEqualTo(502);
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(r.body()).contains("502 Bad Gateway").contains("site 'demo'").contains("request id: " + id);
    }

    @Test
    void unknownHostGetsTiyisOwn404AndHealthzAnswers() throws Exception {
        HttpResponse<String> r = get("nobody.example", "/", Map.of());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("no site is configured for host 'nobody.example'").contains("request id:");
        HttpResponse<String> h = get(null, "/healthz", Map.of());
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(json(h).get("role").asText()).isEqualTo("primary");
    }

    @Test
    void wildcardHostsPathRoutesAndLiveUpdates() throws Exception {
        TestUpstream web = upstream("web");
        TestUpstream apiUp = upstream("api");
        TestUpstream next = upstream("next");
        createSite("shop", List.of("*.shop.test"), List.of(web.url()));
        long v = version();
        api.raw("SitesService", "AddRoute", Map.of("site", "shop", "path_prefix", "/api", "upstreams", List.of(apiUp.url())));
        awaitVersionAbove(v);
        assertThat(json(get("a.shop.test", "/index", Map.of())).get("upstream").asText()).isEqualTo("web");
        assertThat(json(get("a.shop.test", "/api", Map.of())).get("upstream").asText()).isEqualTo("api");
        assertThat(json(get("a.shop.test", "/api/v1/x", Map.of())).get("upstream").asText()).isEqualTo("api");
        assertThat(json(get("a.shop.test", "/apix", Map.of())).get("upstream").asText()).isEqualTo("web");
        assertThat(get("shop.test", "/", Map.of()).statusCode()).isEqualTo(404);

        InetSocketAddress before = node.httpAddress();
        v = version();
        api.raw("SitesService", "Update", Map.of("name", "shop", "upstreams", List.of(next.url())));
        awaitVersionAbove(v);
        assertThat(json(get("b.shop.test", "/", Map.of())).get("upstream").asText()).isEqualTo("next");
        assertThat(node.httpAddress()).isEqualTo(before);
    }

    @Test
    void everyRequestBecomesAnAccessEvent() throws Exception {
        TestUpstream a = upstream("a");
        createSite("demo", List.of("localhost"), List.of(a.url()));
        get("localhost", "/one?q=2", Map.of("X-Request-Id", "req-1"));
        get("nobody", "/", Map.of());
        node.events().flush();
        List<JsonNode> ev = node.events().query("access", 0, n -> true, 100);
        assertThat(ev).hasSize(2);
        // An event is written when its exchange completes, which can be after the client already
        // sent the next request: find events by id, not by position.
        JsonNode e = ev.stream().filter(x -> x.get("request_id").asText().equals("req-1")).findFirst().orElseThrow();
        assertThat(e.get("site").asText()).isEqualTo("demo");
        assertThat(e.get("path").asText()).isEqualTo("/one?q=2");
        assertThat(e.get("status").asInt()).isEqualTo(200);
        assertThat(e.get("upstream").asText()).isEqualTo(a.url());
        assertThat(e.get("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(e.get("upstream_ms").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(ev.stream().filter(x -> x != e).findFirst().orElseThrow().get("status").asInt()).isEqualTo(404);
        JsonNode listed = api.raw("EventsService", "List", Map.of("since", "5m", "status", "4xx"));
        assertThat(listed.get("events")).hasSize(1);
    }

    @Test
    void tlsPicksTheCertificateBySniAndSpeaksHttp2() throws Exception {
        TestUpstream a = upstream("a");
        TestCerts.Pem one = TestCerts.valid("one.test", "one.test");
        TestCerts.Pem two = TestCerts.valid("two.test", "two.test", "*.two.test");
        api.raw("CertificatesService", "Import", Map.of("name", "one", "cert_pem", one.certPem(), "key_pem", one.keyPem()));
        createSite("one", List.of("one.test"), List.of(a.url()));
        api.raw("CertificatesService", "Import", Map.of("name", "two", "cert_pem", two.certPem(), "key_pem", two.keyPem()));
        // The data plane's version may still lag the site's commit when the import commits: wait for the certificate itself.
        assertThat(node.awaitDataPlane(java.time.Duration.ofSeconds(30))).isTrue();
        Await.until(java.time.Duration.ofSeconds(30), "the HTTPS listener", () -> node.httpsAddress().isPresent());
        InetSocketAddress tls = node.httpsAddress().orElseThrow();
        assertThat(peerCert(tls, "one.test", one, two).getSubjectX500Principal().getName()).isEqualTo("CN=one.test");
        assertThat(peerCert(tls, "x.two.test", one, two).getSubjectX500Principal().getName()).isEqualTo("CN=two.test");

        HttpClient h2 = HttpClient.newBuilder().sslContext(TestCerts.trusting(one, two)).version(HttpClient.Version.HTTP_2).build();
        // Resolve one.test to the listener by connecting to 127.0.0.1 with SNI from the URI host is not possible in
        // java.net.http; the raw socket checks above cover SNI, this checks ALPN and proxying over TLS.
        SSLContext ctx = TestCerts.trusting(one, two);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(tls, 2000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("one.test")));
            p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            s.setSSLParameters(p);
            s.startHandshake();
            assertThat(s.getApplicationProtocol()).isEqualTo("h2");
        }
        assertThat(h2).isNotNull();
        HttpResponse<String> r = RawHttp.getTls(tls, "one.test", "/secure", ctx);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("headers").get("x-forwarded-proto").asText()).isEqualTo("https");
    }

    @Test
    void badCertificatesAreRefusedWithTheReason() {
        long now = System.currentTimeMillis();
        TestCerts.Pem expired = TestCerts.selfSigned("old.test", now - 10 * 86_400_000L, now - 86_400_000L, "old.test");
        assertThatThrownBy(() -> api.raw("CertificatesService", "Import",
                Map.of("name", "old", "cert_pem", expired.certPem(), "key_pem", expired.keyPem())))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.getMessage()).contains("expired on"));
        TestCerts.Pem a = TestCerts.valid("a.test", "a.test");
        TestCerts.Pem b = TestCerts.valid("b.test", "b.test");
        assertThatThrownBy(() -> api.raw("CertificatesService", "Import", Map.of("name", "mix", "cert_pem", a.certPem(), "key_pem", b.keyPem())))
                .hasMessageContaining("does not belong to the certificate");
        assertThatThrownBy(() -> api.raw("CertificatesService", "Import", Map.of("name", "junk", "cert_pem", "hello", "key_pem", a.keyPem())))
                .hasMessageContaining("no PEM certificate");
        String garbled = "-----BEGIN PRIVATE KEY-----\nnot*base64!\n-----END PRIVATE KEY-----\n";
        assertThatThrownBy(() -> api.raw("CertificatesService", "Import", Map.of("name", "garbled", "cert_pem", a.certPem(), "key_pem", garbled)))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.getMessage()).contains("not a valid PEM private key")
                        .doesNotContain("internal error"));
        String garbledCert = "-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n";
        assertThatThrownBy(() -> api.raw("CertificatesService", "Import", Map.of("name", "garbled", "cert_pem", garbledCert, "key_pem", a.keyPem())))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.getMessage()).contains("not a valid PEM X.509 certificate"));
        JsonNode list = api.raw("CertificatesService", "List", Map.of());
        assertThat(list.get("certificates")).isEmpty();
    }

    @Test
    void siteInputIsValidated() {
        assertThatThrownBy(() -> api.raw("SitesService", "Create", Map.of("name", "x", "hosts", List.of("bad host"), "upstreams", List.of("http://a:1"))))
                .hasMessageContaining("host 'bad host'");
        assertThatThrownBy(() -> api.raw("SitesService", "Create", Map.of("name", "x", "hosts", List.of("a.test"), "upstreams", List.of("ftp://a:1"))))
                .hasMessageContaining("upstream 'ftp://a:1'");
        assertThatThrownBy(() -> api.raw("SitesService", "Create", Map.of("name", "x", "hosts", List.of("a.test"), "upstreams",
                List.of("http://a:1"), "lb", "random"))).hasMessageContaining("round_robin or least_conn");
        api.raw("SitesService", "Create", Map.of("name", "x", "hosts", List.of("a.test"), "upstreams", List.of("http://a:1")));
        assertThatThrownBy(() -> api.raw("SitesService", "Create", Map.of("name", "y", "hosts", List.of("a.test"), "upstreams", List.of("http://a:1"))))
                .hasMessageContaining("host 'a.test' already belongs to site 'x'");
        assertThatThrownBy(() -> api.raw("SitesService", "Update", Map.of("name", "x", "certificate", "nope")))
                .hasMessageContaining("no certificate named 'nope'");
    }

    static X509Certificate peerCert(InetSocketAddress addr, String sni, TestCerts.Pem... trusted) throws Exception {
        try (SSLSocket s = (SSLSocket) TestCerts.trusting(trusted).getSocketFactory().createSocket()) {
            s.connect(addr, 2000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(sni)));
            s.setSSLParameters(p);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }


}
