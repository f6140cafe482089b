package io.tiyi.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.H2c;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.RecordingUpstream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests built to be framed one way by Tiyi and another by the upstream, sent over real sockets
 * to a real node whose upstream records the bytes it receives. Each case states what the client
 * hears and what the upstream may not receive. The site runs with the WAF off, where nothing but
 * the edge stands between the client and the upstream.
 */
class SmugglingTest {
    @RegisterExtension
    static final NodeExtension NODE = NodeExtension.primary();

    static TiyiNode node;
    static RecordingUpstream up;

    @BeforeAll
    static void start() throws Exception {
        node = NODE.node();
        TiyiClient api = Hostile.admin(NODE);
        up = new RecordingUpstream();
        Hostile.site(node, api, "shop", "shop.test", up.url());
        Hostile.change(node, api, "WafService", "SetPolicy", Map.of("site", "shop", "mode", "off"));
    }

    @AfterAll
    static void stop() throws IOException {
        up.close();
    }

    @BeforeEach
    void clear() {
        up.clear();
    }

    /** Writes {@code raw} on a new connection and reads until the server closes it. */
    static String send(String raw) throws IOException {
        return Hostile.send(node.httpAddress(), raw);
    }

    static final String H = "Host: shop.test\r\n";

    static Stream<Arguments> refusedHeads() {
        String big = "X-Big: " + "a".repeat(64 * 1024) + "\r\n";
        return Stream.of(
                Arguments.of("CL.TE", "POST / HTTP/1.1\r\n" + H + "Content-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n" + H + "\r\n",
                        400, "/smuggled"),
                Arguments.of("TE.CL", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGET /smuggled HTTP/1.1\r\n" + H + "\r\n0\r\n\r\n",
                        400, "/smuggled"),
                Arguments.of("two different Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: 3\r\nContent-Length: 30\r\n\r\nabcGET /smuggled HTTP/1.1\r\n\r\n",
                        400, "/smuggled"),
                Arguments.of("Content-Length list", "POST / HTTP/1.1\r\n" + H + "Content-Length: 3, 3\r\n\r\nabc", 400, "abc"),
                Arguments.of("Content-Length sign", "POST / HTTP/1.1\r\n" + H + "Content-Length: +3\r\n\r\nabc", 400, "abc"),
                Arguments.of("unknown transfer coding", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n" + H + "\r\n",
                        501, "/smuggled"),
                Arguments.of("gzip before chunked", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501, "POST"),
                Arguments.of("chunked twice", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "POST"),
                Arguments.of("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "POST"),
                Arguments.of("space before the colon", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400, "POST"),
                Arguments.of("obs-fold", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\n X-Smug: 1\r\n\r\n", 400, "X-Smug"),
                Arguments.of("bare CR", "GET / HTTP/1.1\r\n" + H + "X-A: a\rX-Smug: 1\r\n\r\n", 400, "X-Smug"),
                Arguments.of("bare CR in the request line", "GET /\rX-Smug: 1 HTTP/1.1\r\n" + H + "\r\n", 400, "X-Smug"),
                Arguments.of("NUL in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\u0000b\r\n\r\n", 400, "\u0000"),
                Arguments.of("ESC in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\u001bb\r\n\r\n", 400, "\u001b"),
                Arguments.of("DEL in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\u007fb\r\n\r\n", 400, "\u007f"),
                Arguments.of("NUL in a name", "GET / HTTP/1.1\r\n" + H + "X\u0000A: b\r\n\r\n", 400, "\u0000"),
                Arguments.of("control byte in the target", "GET /a\u0001b HTTP/1.1\r\n" + H + "\r\n", 400, "\u0001"),
                Arguments.of("two Host headers", "GET / HTTP/1.1\r\n" + H + "Host: admin.internal\r\n\r\n", 400, "admin.internal"),
                Arguments.of("HTTP/1.1 without Host", "GET /nohost HTTP/1.1\r\n\r\n", 400, "/nohost"),
                Arguments.of("absolute target for another host", "GET http://admin.internal/ HTTP/1.1\r\n" + H + "\r\n", 400, "admin.internal"),
                Arguments.of("HTTP/4.0", "GET /v4 HTTP/4.0\r\n" + H + "\r\n", 505, "/v4"),
                Arguments.of("no HTTP version", "GET /v09\r\n" + H + "\r\n", 400, "/v09"),
                Arguments.of("CONNECT", "CONNECT admin.internal:22 HTTP/1.1\r\nHost: admin.internal:22\r\n\r\n", 405, "admin.internal"),
                Arguments.of("16 headers of 64 KiB", "GET /big HTTP/1.1\r\n" + H + big.repeat(16) + "\r\n", 431, "X-Big"),
                Arguments.of("101 headers", "GET /many HTTP/1.1\r\n" + H + "X-N: 1\r\n".repeat(101) + "\r\n", 431, "X-N"),
                Arguments.of("a 9000-byte target", "GET /" + "a".repeat(9000) + " HTTP/1.1\r\n" + H + "\r\n", 414, "aaaa"),
                Arguments.of("an 8 KiB header line", "GET / HTTP/1.1\r\n" + H + "X-Long: " + "b".repeat(8200) + "\r\n\r\n", 431, "X-Long"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedHeads")
    void refusedHeadsNeverReachTheUpstream(String name, String request, int status, String mustNotReach) throws Exception {
        String resp = send(request);
        assertThat(resp).as(name).startsWith("HTTP/1.1 " + status + " ");
        String id = Hostile.header(resp, "X-Request-Id");
        assertThat(id).as("request id of " + name).isNotEmpty();
        assertThat(resp).contains("request id: " + id).contains("-- tiyi");
        assertThat(resp.toLowerCase()).contains("connection: close");
        Thread.sleep(100);
        assertThat(up.requests()).as("requests the upstream framed for " + name).isEmpty();
        assertThat(up.rawText()).doesNotContain(mustNotReach);
        node.events().flush();
        List<JsonNode> access = node.events().query("access", 0, n -> n.get("request_id").asText().equals(id), 5);
        assertThat(access).as("access event of " + name).hasSize(1);
        assertThat(access.get(0).get("status").asInt()).isEqualTo(status);
    }

    static Stream<Arguments> brokenChunks() {
        String second = "GET /smuggled HTTP/1.1\r\n" + H + "\r\n";
        String head = "POST /chunked HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n";
        return Stream.of(
                Arguments.of("0x prefix", head + "0x3\r\nabc\r\n0\r\n\r\n" + second),
                Arguments.of("space after the size", head + "3 \r\nabc\r\n0\r\n\r\n" + second),
                Arguments.of("negative size", head + "-3\r\nabc\r\n0\r\n\r\n" + second),
                Arguments.of("size of 16 hex digits", head + "10000000000000003\r\nabc\r\n0\r\n\r\n" + second),
                Arguments.of("data longer than its size", head + "3\r\nabcGET /x HTTP/1.1\r\n0\r\n\r\n" + second),
                Arguments.of("LF-only chunk lines", head + "3\nabc\n0\n\n" + second),
                Arguments.of("control byte in an extension", head + "3;a=\u0000\r\nabc\r\n0\r\n\r\n" + second));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenChunks")
    void brokenChunkedFramingClosesTheConnection(String name, String request) throws Exception {
        int before = refusedChunked();
        send(request);
        // No answer can follow a body that broke mid-stream; the access event says what happened.
        Await.until(Duration.ofSeconds(5), "an access event with 400 for " + name, () -> refusedChunked() == before + 1);
        assertThat(up.requests()).as(name).noneSatisfy(r -> assertThat(r.requestLine()).contains("/smuggled"));
        assertThat(up.rawText()).as(name).doesNotContain("GET /smuggled");
    }

    static int refusedChunked() {
        node.events().flush();
        return node.events().query("access", 0, n -> n.get("path").asText().equals("/chunked") && n.get("status").asInt() == 400, 100).size();
    }

    @Test
    void validRequestsOnOneConnectionEachReachTheUpstreamOnce() throws Exception {
        String resp = send("POST /one HTTP/1.1\r\n" + H + "Content-Length: 3\r\n\r\nabc"
                + "POST /two HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3;ext=1\r\nxyz\r\n0\r\nX-Trailer: t\r\n\r\n"
                + "GET /three HTTP/1.1\n" + "Host: shop.test\n\n"
                + "GET /four HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n");
        assertThat(count(resp, "HTTP/1.1 200 ")).isEqualTo(4);
        Await.until(Duration.ofSeconds(5), "four requests upstream", () -> up.requests().size() == 4);
        List<RecordingUpstream.Received> got = up.requests();
        assertThat(got).extracting(RecordingUpstream.Received::requestLine).containsExactly("POST /one HTTP/1.1", "POST /two HTTP/1.1",
                "GET /three HTTP/1.1", "GET /four HTTP/1.1");
        assertThat(got.get(0).bodyText()).isEqualTo("abc");
        assertThat(got.get(1).bodyText()).isEqualTo("xyz");
    }

    @Test
    void aRefusedRequestAfterValidOnesOnTheSameConnectionStopsOnlyWhatFollows() throws Exception {
        String resp = send("GET /first HTTP/1.1\r\n" + H + "\r\n" + "GET /second HTTP/1.1\r\n" + H + "X-A: a\rX-Smug: 1\r\n\r\n"
                + "GET /third HTTP/1.1\r\n" + H + "\r\n");
        assertThat(resp).startsWith("HTTP/1.1 200 ").contains("HTTP/1.1 400 ");
        Thread.sleep(200);
        assertThat(up.requests()).extracting(RecordingUpstream.Received::requestLine).containsExactly("GET /first HTTP/1.1");
    }

    @Test
    void unusualTargetsReachTheUpstreamAsSent() throws Exception {
        for (String target : List.of("/x;a,b", "/data:;base64,=", "/p;a=1/q;b?x=1;y", "/a,b")) {
            up.clear();
            String resp = send("GET " + target + " HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n");
            assertThat(resp).as(target).startsWith("HTTP/1.1 200 ");
            Await.until(Duration.ofSeconds(5), target + " upstream", () -> up.requests().stream()
                    .anyMatch(r -> r.requestLine().equals("GET " + target + " HTTP/1.1")));
            assertThat(up.rawText()).doesNotContain("X-Tiyi-Edge");
        }
    }

    @Test
    void aRefusedRequestIsStillInspectedByTheSitesWaf() throws Exception {
        TiyiClient api = Hostile.admin(NODE);
        Hostile.change(node, api, "WafService", "SetPolicy", Map.of("site", "shop", "mode", "detect", "custom_rules",
                "SecRule REQUEST_HEADERS:X-A \"@contains Smug\" \"id:1234,phase:1,log,pass,msg:'smuggling attempt'\""));
        try {
            String resp = send("GET /inspected HTTP/1.1\r\n" + H + "X-A: a\rX-Smug: 1\r\n\r\n");
            assertThat(resp).startsWith("HTTP/1.1 400 ");
            String id = Hostile.header(resp, "X-Request-Id");
            node.events().flush();
            List<JsonNode> sec = node.events().query("security", 0, n -> n.get("request_id").asText().equals(id), 5);
            assertThat(sec).hasSize(1);
            assertThat(sec.get(0).get("rule_ids").toString()).contains("1234");
            assertThat(sec.get(0).get("path").asText()).isEqualTo("/inspected");
            assertThat(up.requests()).isEmpty();
        } finally {
            Hostile.change(node, api, "WafService", "SetPolicy", Map.of("site", "shop", "mode", "off", "custom_rules", ""));
        }
    }

    @Test
    void cookiesWithBytesOutsideAsciiReachTheUpstreamAsSent() throws Exception {
        // U+2019 in UTF-8: Undertow's cookie parser refuses it (UT000173), which used to drop the request unanswered.
        String cookie = "id=\u00e2\u0080\u0099 #-";
        String resp = send("GET /cookie HTTP/1.1\r\n" + H + "Cookie: " + cookie + "\r\nConnection: close\r\n\r\n");
        assertThat(resp).startsWith("HTTP/1.1 200 ");
        Await.until(Duration.ofSeconds(5), "/cookie upstream", () -> up.requests().stream().anyMatch(r -> r.requestLine().contains("/cookie")));
        assertThat(up.requests().stream().filter(r -> r.requestLine().contains("/cookie")).findFirst().orElseThrow().header("Cookie"))
                .isEqualTo(cookie);
    }

    @Test
    void aClientCannotForgeTheEdgeMarker() throws Exception {
        String resp = send("GET /forged HTTP/1.1\r\n" + H + "X-Tiyi-Edge: x refuse 400 YQ YQ YQ\r\nConnection: close\r\n\r\n");
        assertThat(resp).startsWith("HTTP/1.1 200 ");
        Await.until(Duration.ofSeconds(5), "/forged upstream", () -> up.requests().stream().anyMatch(r -> r.requestLine().contains("/forged")));
        assertThat(up.rawText()).doesNotContainIgnoringCase("X-Tiyi-Edge");
    }

    @Test
    void http2FieldsWithCrLfOrNulAreRefused() throws Exception {
        List<String[]> ok = List.of(new String[] {":method", "GET"}, new String[] {":scheme", "http"}, new String[] {":path", "/h2"},
                new String[] {":authority", "shop.test"});
        assertThat(H2c.request(node.httpAddress(), ok)).isEqualTo(200);
        Await.until(Duration.ofSeconds(5), "h2 request upstream", () -> up.requests().stream().anyMatch(r -> r.requestLine().contains("/h2")));
        up.clear();
        List<List<String[]>> hostile = List.of(
                List.of(new String[] {":method", "GET"}, new String[] {":scheme", "http"}, new String[] {":path", "/h2"},
                        new String[] {":authority", "shop.test"}, new String[] {"x-a", "a\r\nX-Smug: 1"}),
                List.of(new String[] {":method", "GET"}, new String[] {":scheme", "http"},
                        new String[] {":path", "/h2 HTTP/1.1\r\nHost: shop.test\r\n\r\nGET /smuggled"}, new String[] {":authority", "shop.test"}),
                List.of(new String[] {":method", "GET"}, new String[] {":scheme", "http"}, new String[] {":path", "/h2"},
                        new String[] {":authority", "shop.test"}, new String[] {"x-a", "a\u0000b"}),
                List.of(new String[] {":method", "GET"}, new String[] {":scheme", "http"}, new String[] {":path", "/h2"},
                        new String[] {":authority", "shop.test"}, new String[] {"transfer-encoding", "chunked"}));
        for (List<String[]> req : hostile) {
            int status = H2c.request(node.httpAddress(), req);
            assertThat(status).as("HTTP/2 request with " + req.get(req.size() - 1)[0]).isIn(400, -1);
        }
        Thread.sleep(200);
        assertThat(up.requests()).isEmpty();
        assertThat(up.rawText()).doesNotContain("X-Smug").doesNotContain("/smuggled").doesNotContain("\u0000");
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
