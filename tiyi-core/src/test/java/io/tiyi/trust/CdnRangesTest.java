package io.tiyi.trust;

import io.tiyi.internal.Cidr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.tiyi.sites.Trust;
import io.tiyi.testsupport.TestCerts;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CdnRangesTest {
    static final String CLOUDFLARE = """
            {"result":{"ipv4_cidrs":["173.245.48.0/20","103.21.244.0/22"],"ipv6_cidrs":["2400:cb00::/32"],"etag":"x"},
             "success":true,"errors":[],"messages":[]}""";
    static final String FASTLY = """
            {"addresses":["23.235.32.0/20","151.101.0.0/16"],"ipv6_addresses":["2a04:4e40::/32"]}""";

    static HttpsServer server;
    static HttpClient http;
    static final Map<String, Object[]> ANSWERS = new ConcurrentHashMap<>();

    @BeforeAll
    static void startServer() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=127.0.0.1");
        long now = System.currentTimeMillis();
        // TestCerts makes DNS names only; this one is for an IP address, which hostname checks require in an iPAddress SAN.
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now), new Date(now - 60_000),
                new Date(now + 86_400_000), name, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));

        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", kp.getPrivate(), new char[0], new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext serverCtx = SSLContext.getInstance("TLS");
        serverCtx.init(kmf.getKeyManagers(), null, null);

        server = HttpsServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverCtx));
        server.createContext("/", ex -> {
            Object[] a = ANSWERS.getOrDefault(ex.getRequestURI().getPath(), new Object[] {404, "not found"});
            byte[] body = ((String) a[1]).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders((int) a[0], body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        http = HttpClient.newBuilder().sslContext(TestCerts.trusting(new TestCerts.Pem("", "", cert))).build();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
    }

    static URI url(String path, int status, String body) {
        ANSWERS.put(path, new Object[] {status, body});
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Test
    void builtInListsParseAndEveryEntryIsValid() {
        Map<String, CdnRanges.ProviderRanges> lists = CdnRanges.builtIn();
        assertThat(lists).containsOnlyKeys("cloudflare", "fastly");
        for (String p : CdnRanges.providers()) {
            CdnRanges.ProviderRanges r = lists.get(p);
            assertThat(r.provider()).isEqualTo(p);
            assertThat(r.source()).isEqualTo(CdnRanges.defaultUrl(p));
            assertThat(LocalDate.parse(r.takenOn())).isBefore(LocalDate.now(ZoneOffset.UTC).plusDays(1));
            assertThat(r.ranges()).hasSizeGreaterThan(10).doesNotHaveDuplicates();
            assertThat(r.cidrs()).hasSameSizeAs(r.ranges()).anyMatch(Cidr::isIpv4).anyMatch(c -> !c.isIpv4());
            assertThat(r.cidrs()).allSatisfy(c -> assertThat(c.prefixLength()).isBetween(12, 48));
            // The list as shipped is exactly what parse() accepts from the provider's own format.
            String body = p.equals("cloudflare")
                    ? "{\"result\":{\"ipv4_cidrs\":" + json(r.cidrs().stream().filter(Cidr::isIpv4).map(Cidr::toString).toList())
                            + ",\"ipv6_cidrs\":" + json(r.cidrs().stream().filter(c -> !c.isIpv4()).map(Cidr::toString).toList()) + "},\"success\":true}"
                    : "{\"addresses\":" + json(r.cidrs().stream().filter(Cidr::isIpv4).map(Cidr::toString).toList())
                            + ",\"ipv6_addresses\":" + json(r.cidrs().stream().filter(c -> !c.isIpv4()).map(Cidr::toString).toList()) + "}";
            assertThat(CdnRanges.parse(p, body, r.source(), r.takenOn()).ranges()).isEqualTo(r.ranges());
        }
        assertThat(lists.get("cloudflare").cidrs()).anyMatch(c -> c.contains("104.16.1.1"));
        assertThat(lists.get("fastly").cidrs()).anyMatch(c -> c.contains("151.101.1.1"));
    }

    static String json(List<String> s) {
        return s.stream().map(x -> "\"" + x + "\"").toList().toString();
    }

    @Test
    void providersAndUrls() {
        assertThat(CdnRanges.providers()).containsExactly("cloudflare", "fastly");
        assertThat(CdnRanges.defaultUrl("cloudflare")).isEqualTo("https://api.cloudflare.com/client/v4/ips");
        assertThat(CdnRanges.defaultUrl("fastly")).isEqualTo("https://api.fastly.com/public-ip-list");
        assertThatThrownBy(() -> CdnRanges.defaultUrl("akamai")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown CDN provider 'akamai'; known: cloudflare, fastly");
        assertThatThrownBy(() -> CdnRanges.parse("akamai", FASTLY, "s", "2026-01-01")).hasMessageContaining("known: cloudflare, fastly");
    }

    @Test
    void parsesBothFormats() {
        CdnRanges.ProviderRanges cf = CdnRanges.parse("cloudflare", CLOUDFLARE, "https://x", "2026-01-02");
        assertThat(cf.ranges()).containsExactly("173.245.48.0/20", "103.21.244.0/22", "2400:cb00::/32");
        assertThat(cf.source()).isEqualTo("https://x");
        assertThat(cf.takenOn()).isEqualTo("2026-01-02");
        assertThat(CdnRanges.parse("fastly", FASTLY, "https://y", "2026-01-02").ranges())
                .containsExactly("23.235.32.0/20", "151.101.0.0/16", "2a04:4e40::/32");
    }

    @Test
    void refusesEmptyLists() {
        assertThatThrownBy(() -> CdnRanges.parse("fastly", "{\"addresses\":[],\"ipv6_addresses\":[]}", "https://y", "d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("fastly: ").hasMessageContaining("has no ranges");
        assertThatThrownBy(() -> CdnRanges.parse("cloudflare", "{\"result\":{},\"success\":true}", "https://x", "d"))
                .hasMessageStartingWith("cloudflare: ").hasMessageContaining("has no ranges");
        assertThatThrownBy(() -> CdnRanges.parse("fastly", "{}", "https://y", "d")).hasMessageContaining("has no ranges");
    }

    @Test
    void refusesMalformedEntriesNamingThem() {
        assertThatThrownBy(() -> CdnRanges.parse("fastly", "{\"addresses\":[\"23.235.32.0/20\",\"151.101.0.0/33\"]}", "https://y", "d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fastly: the list from https://y has a bad entry: '151.101.0.0/33' is not a CIDR: IPv4 prefix length must be 0 to 32");
        assertThatThrownBy(() -> CdnRanges.parse("cloudflare",
                "{\"result\":{\"ipv4_cidrs\":[\"173.245.48.0/20\"],\"ipv6_cidrs\":[\"cloudflare.com\"]},\"success\":true}", "https://x", "d"))
                .hasMessageStartingWith("cloudflare: ").hasMessageContaining("'cloudflare.com' is not a CIDR");
        assertThatThrownBy(() -> CdnRanges.parse("fastly", "{\"addresses\":[\"23.235.32.0/20\", 7]}", "https://y", "d"))
                .hasMessageStartingWith("fastly: ").hasMessageContaining("7 in \"addresses\" is not a CIDR string");
        assertThatThrownBy(() -> CdnRanges.parse("fastly", "{\"addresses\":\"23.235.32.0/20\"}", "https://y", "d"))
                .hasMessageContaining("\"addresses\" is not a list of CIDRs");
        assertThatThrownBy(() -> CdnRanges.parse("fastly", "{\"addresses\":[\"0.0.0.0/0\"]}", "https://y", "d"))
                .hasMessageContaining("'0.0.0.0/0', which covers every address");
        assertThatThrownBy(() -> CdnRanges.parse("fastly", "<html>", "https://y", "d")).hasMessageStartingWith("fastly: ")
                .hasMessageContaining("is not JSON");
        assertThatThrownBy(() -> CdnRanges.parse("cloudflare",
                "{\"success\":false,\"errors\":[{\"message\":\"rate limited\"}],\"result\":null}", "https://x", "d"))
                .hasMessageContaining("\"success\":true").hasMessageContaining("rate limited");
    }

    @Test
    void fetchesBothFormatsOverHttps() throws Exception {
        URI cf = url("/client/v4/ips", 200, CLOUDFLARE);
        CdnRanges.ProviderRanges r = CdnRanges.fetch("cloudflare", cf, http);
        assertThat(r.provider()).isEqualTo("cloudflare");
        assertThat(r.ranges()).containsExactly("173.245.48.0/20", "103.21.244.0/22", "2400:cb00::/32");
        assertThat(r.source()).isEqualTo(cf.toString());
        assertThat(r.takenOn()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
        assertThat(CdnRanges.fetch("fastly", url("/public-ip-list", 200, FASTLY), http).ranges()).contains("151.101.0.0/16", "2a04:4e40::/32");
    }

    @Test
    void fetchRefusesEmptyAndMalformedLists() {
        assertThatThrownBy(() -> CdnRanges.fetch("fastly", url("/empty", 200, "{\"addresses\":[],\"ipv6_addresses\":[]}"), http))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no ranges");
        assertThatThrownBy(() -> CdnRanges.fetch("fastly", url("/bad", 200, "{\"addresses\":[\"23.235.32.0/20\",\"nope\"]}"), http))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope' is not a CIDR");
    }

    @Test
    void fetchReportsTheStatusOfAFailedAnswer() {
        URI u = url("/broken", 500, "oops");
        assertThatThrownBy(() -> CdnRanges.fetch("cloudflare", u, http)).isInstanceOf(IOException.class)
                .hasMessage("cloudflare: " + u + " answered HTTP 500 (expected 200)");
    }

    @Test
    void fetchRefusesAnswersOverOneMebibyte() {
        String big = "{\"addresses\":[" + "\"23.235.32.0/20\",".repeat(70_000) + "\"23.235.32.0/20\"]}";
        assertThat(big.length()).isGreaterThan(1 << 20);
        assertThatThrownBy(() -> CdnRanges.fetch("fastly", url("/big", 200, big), http)).isInstanceOf(IOException.class)
                .hasMessageContaining("larger than 1 MiB");
    }

    @Test
    void fetchRefusesPlainHttp() {
        assertThatThrownBy(() -> CdnRanges.fetch("fastly", URI.create("http://api.fastly.com/public-ip-list"), http))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refusing to fetch the range list from http://api.fastly.com/public-ip-list")
                .hasMessageContaining("only https://");
        assertThatThrownBy(() -> CdnRanges.fetch("akamai", URI.create("https://example.com"), http)).hasMessageContaining("known: cloudflare, fastly");
    }

    @Test
    void aRefreshIsStoredAndAFailedOneKeepsTheStoredList(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        io.tiyi.store.StateStore store = io.tiyi.store.StateStore.open(dir);
        try {
            store.migrate();
            io.tiyi.cluster.ClusterStates states = new io.tiyi.cluster.ClusterStates(store);
            states.init("n1", io.tiyi.cluster.Role.PRIMARY, 1, "sha256:test");
            try (io.tiyi.store.MutationPipeline pipeline = new io.tiyi.store.MutationPipeline(store, io.tiyi.audit.AuditChain.open(store, io.tiyi.store.TestStores.KEK), states)) {
                io.tiyi.settings.Settings settings = new io.tiyi.settings.Settings(store, pipeline);
                Trust trust = new Trust(store, pipeline, settings, http);
                int builtIn = trust.ranges().get("fastly").ranges().size();

                settings.update("t", "trust.cdn.fastly.url", url("/fastly-ok", 200, FASTLY).toString());
                Trust.CdnStatus s = trust.refresh("t", "fastly");
                assertThat(s.ranges()).isEqualTo(3);
                assertThat(s.refreshedAt()).isPositive();
                assertThat(trust.ranges().get("fastly").ranges()).containsExactly("23.235.32.0/20", "151.101.0.0/16", "2a04:4e40::/32");

                settings.update("t", "trust.cdn.fastly.url", url("/fastly-bad", 200,
                        "{\"addresses\":[\"23.235.32.0/20\",\"not-a-cidr\"],\"ipv6_addresses\":[]}").toString());
                assertThatThrownBy(() -> trust.refresh("t", "fastly")).hasMessageContaining("not-a-cidr").hasMessageContaining("kept");
                settings.update("t", "trust.cdn.fastly.url", url("/fastly-empty", 200, "{\"addresses\":[],\"ipv6_addresses\":[]}").toString());
                assertThatThrownBy(() -> trust.refresh("t", "fastly")).hasMessageContaining("kept");
                settings.update("t", "trust.cdn.fastly.url", url("/fastly-500", 500, "oops").toString());
                assertThatThrownBy(() -> trust.refresh("t", "fastly")).hasMessageContaining("500").hasMessageContaining("kept");
                assertThat(trust.ranges().get("fastly").ranges()).as("still the last good list").hasSize(3);
                assertThat(builtIn).isGreaterThan(3);
            }
        } finally {
            store.close();
        }
    }
}
