package io.tiyi.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin listener stays usable while clients that send slowly, or never finish, hold
 * connections to it; it answers only the names it knows; and it limits the calls anyone may make.
 * Each misbehaving client connects from its own loopback address (127.0.0.0/8), as an attack from
 * many hosts would, so that the per-client rate limit does not hide what is tested.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminListenerLimitsTest {
    @RegisterExtension
    static final NodeExtension NODE = NodeExtension.primary();

    InetSocketAddress addr;
    String adminToken;

    @BeforeAll
    void start() {
        URI api = URI.create(NODE.adminUrl());
        addr = new InetSocketAddress(api.getHost(), api.getPort());
        adminToken = LocalAdminCredential.read(NODE.stateDir()).orElseThrow().token();
    }

    @Test
    void fiftySlowLoginBodiesDoNotStopAnAuthenticatedCall() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                Socket s = connectFrom("127.0.1." + (i + 1));
                send(s, "POST /rpc/tiyi.v1.AuthService/Login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n{\"user\": \"adm");
                slow.add(s);
            }
            assertStatusCallIsPrompt();

            // The listener gives up on a body that does not arrive: 408, then the connection closes.
            Socket first = slow.get(0);
            first.setSoTimeout((int) BodyReader.deadline(1000).plusSeconds(20).toMillis());
            String answer = new String(first.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 408").contains("request body not received within");
        } finally {
            closeAll(slow);
        }
    }

    @Test
    void chunkedBodiesAreReadWholeAndRefusedPastTheLimit() throws Exception {
        // A body without a length, in small chunks: read whole, then answered.
        StringBuilder chunks = new StringBuilder();
        for (char c : "{\"limit\": 5}".toCharArray()) {
            chunks.append("1\r\n").append(c).append("\r\n");
        }
        String ok = exchange("POST /rpc/tiyi.v1.AuditService/List HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + adminToken
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks + "0\r\n\r\n");
        assertThat(ok).startsWith("HTTP/1.1 200").contains("\"entries\"");

        // One byte past the method's limit, without a length: 413 once the limit is passed.
        String big = " ".repeat(RpcHandler.MAX_BODY) + "{}";
        String refused = exchange("POST /rpc/tiyi.v1.SystemService/Status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + adminToken + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n");
        assertThat(refused).startsWith("HTTP/1.1 413").contains("exceeds the limit of " + RpcHandler.MAX_BODY);
    }

    /** ReleasesService/Import's body limit (ReleasesRpc.MAX_IMPORT_BODY). */
    private static final int IMPORT_LIMIT = 64 << 20;

    @Test
    void aReleaseUploadPastTheImportLimitIsRefusedUpFrontNamingTheLimit() throws Exception {
        // Only the length is sent: the refusal must come from the declared size, before any body is read.
        String refused = exchange("POST /rpc/tiyi.v1.ReleasesService/Import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + adminToken
                + "\r\nContent-Type: application/json\r\nContent-Length: " + (IMPORT_LIMIT + 1L) + "\r\nConnection: close\r\n\r\n");

        assertThat(refused).startsWith("HTTP/1.1 413").contains("request body of " + (IMPORT_LIMIT + 1L)
                + " bytes exceeds the limit of " + IMPORT_LIMIT);
    }

    private String exchange(String request) throws IOException {
        try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(30_000);
            send(s, request);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void twentySlowHeadersDoNotStopAnAuthenticatedCallAndAreDropped() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = connectFrom("127.0.2." + (i + 1));
                send(s, "POST /rpc/tiyi.v1.SystemService/Status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");
                slow.add(s);
            }
            assertStatusCallIsPrompt();

            // Headers that do not finish within the parse timeout end the connection.
            Socket first = slow.get(0);
            first.setSoTimeout(AdminServer.REQUEST_PARSE_TIMEOUT_MS + 20_000);
            InputStream in = first.getInputStream();
            assertThat(readUntilClosed(in)).as("bytes before close").isLessThan(1000);
        } finally {
            closeAll(slow);
        }
    }

    @Test
    void aHostNotAllowedIsRefusedNamingTheKey() throws Exception {
        for (String path : List.of("/metrics", "/", "/ui/app/app.js")) {
            HttpResponse<String> r = RawHttp.get(addr, "rebound.example.com", path, Map.of());
            assertThat(r.statusCode()).as(path).isEqualTo(421);
            assertThat(r.body()).as(path).contains("rebound.example.com").contains("api.allowed_hosts");
        }
        HttpResponse<String> rpc = RawHttp.post(addr, InetAddress.getByName("127.0.0.1"), "rebound.example.com:8080",
                "/rpc/tiyi.v1.SystemService/Status", Map.of("Authorization", "Bearer " + adminToken, "Content-Type", "application/json"),
                "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(rpc.statusCode()).isEqualTo(421);
        assertThat(rpc.body()).contains("\"code\":\"permission_denied\"").contains("'rebound.example.com'");
    }

    @Test
    void healthzAnswersAnyHostAndKnownNamesReachEverything() throws Exception {
        assertThat(RawHttp.get(addr, "rebound.example.com", "/healthz", Map.of()).statusCode()).isEqualTo(200);
        for (String host : List.of("localhost:" + addr.getPort(), "LOCALHOST", "127.0.0.1:" + addr.getPort(), "[::1]:" + addr.getPort(),
                "tiyi.localhost")) {
            assertThat(RawHttp.get(addr, host, "/metrics", Map.of()).statusCode()).as(host).isEqualTo(200);
        }
    }

    @Test
    void unauthenticatedCallsAreLimitedPerClientAddress() throws Exception {
        InetAddress noisy = InetAddress.getByName("127.0.3.1");
        HttpResponse<String> r;
        int answered = 0;
        do {
            r = refresh(noisy);
            answered++;
        } while (r.statusCode() != 429 && answered < 500);
        assertThat(answered).as("calls before the limit").isGreaterThan(ClientRateLimit.DEFAULT_BURST);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.body()).contains("\"code\":\"resource_exhausted\"").contains("127.0.3.1").contains("retry in");
        assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());

        // Another client is not affected, and neither are authenticated calls from the noisy one.
        assertThat(refresh(InetAddress.getByName("127.0.3.2")).statusCode()).isEqualTo(401);
        HttpResponse<String> status = RawHttp.post(addr, noisy, "127.0.0.1", "/rpc/tiyi.v1.SystemService/Status",
                Map.of("Authorization", "Bearer " + adminToken), new byte[0]);
        assertThat(status.statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> refresh(InetAddress from) throws IOException {
        return RawHttp.post(addr, from, "127.0.0.1", "/rpc/tiyi.v1.AuthService/Refresh", Map.of("Content-Type", "application/json"),
                "{\"refresh_token\": \"not-a-token\"}".getBytes(StandardCharsets.UTF_8));
    }

    /** SystemService/Status with the local admin credential answers within a second. */
    private void assertStatusCallIsPrompt() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(NODE.adminUrl() + "/rpc/tiyi.v1.SystemService/Status"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(took).as("SystemService/Status while slow clients hold connections").isLessThan(Duration.ofSeconds(1));
    }

    private Socket connectFrom(String source) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        s.connect(addr, 2000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    private static int readUntilClosed(InputStream in) throws IOException {
        int n = 0;
        while (in.read() >= 0) {
            n++;
        }
        return n;
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // Already closed by the listener.
            }
        }
    }
}
