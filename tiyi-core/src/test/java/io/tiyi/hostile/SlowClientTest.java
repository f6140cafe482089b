package io.tiyi.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.RecordingUpstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that hold connections open: a bounded slowloris on headers and on bodies, and one
 * client opening more connections than it may. Each is cut off by a clock or a cap, answered by
 * Tiyi where an answer is still possible, and never reaches the upstream.
 */
class SlowClientTest {
    @RegisterExtension
    final NodeExtension nodes = NodeExtension.primary();

    TiyiNode node;
    TiyiClient api;
    RecordingUpstream up;

    @BeforeEach
    void start() throws Exception {
        node = nodes.node();
        api = Hostile.admin(nodes);
        up = new RecordingUpstream();
        Hostile.site(node, api, "shop", "shop.test", up.url());
    }

    @AfterEach
    void stop() throws IOException {
        up.close();
    }

    void set(String key, String value) {
        Hostile.setting(node, api, key, value);
    }

    /** What a trickling client hears, and after how long, from its first byte. */
    record Outcome(String answer, long millis) {}

    /** Sends the request line, then one header line every {@code everyMs}, until the server answers or closes. */
    Outcome trickleHeaders(long everyMs) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(node.httpAddress(), 2000);
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            out.write("GET /slow HTTP/1.1\r\nHost: shop.test\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            for (int i = 0; i < 100; i++) {
                long until = System.nanoTime() + everyMs * 1_000_000;
                while (System.nanoTime() < until) {
                    if (in.available() > 0) {
                        return new Outcome(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1), (System.nanoTime() - start) / 1_000_000);
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                try {
                    out.write(("X-Line-" + i + ": 1\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (SocketException e) {
                    return new Outcome("closed", (System.nanoTime() - start) / 1_000_000);
                }
            }
            return new Outcome("still open", (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Test
    void connectionsTricklingHeaderLinesAreClosedWithinTheHeaderTimeout() throws Exception {
        // The default proxy.limits.header_timeout (10 s), one header line every 5 s, ten clients at once.
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<Outcome>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(pool.submit(() -> trickleHeaders(5_000)));
            }
            for (Future<Outcome> f : all) {
                Outcome o = f.get();
                assertThat(o.answer()).startsWith("HTTP/1.1 408 ").contains("proxy.limits.header_timeout").contains("request id: ");
                assertThat(o.millis()).as("time to the 408").isBetween(9_000L, 12_000L);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(up.requests()).isEmpty();
        // The node still serves.
        try (Socket s = new Socket()) {
            s.connect(node.httpAddress(), 2000);
            s.getOutputStream().write("GET /after HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void aBodySlowerThanTheMinimumRateIsCutOff() throws Exception {
        set("proxy.limits.body_rate_window", "2s");
        set("proxy.limits.min_body_rate", "1000");
        for (String mode : List.of("off", "block")) {
            Hostile.change(node, api, "WafService", "SetPolicy", Map.of("site", "shop", "mode", mode));
            up.clear();
            try (Socket s = new Socket()) {
                s.connect(node.httpAddress(), 2000);
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                out.write(("POST /upload HTTP/1.1\r\nHost: shop.test\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                long start = System.nanoTime();
                boolean cut = false;
                for (int i = 0; i < 60 && !cut; i++) {
                    try {
                        out.write("0123456789".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        Thread.sleep(250);
                        if (s.getInputStream().available() > 0) {
                            cut = true;
                        }
                    } catch (SocketException e) {
                        cut = true;
                    }
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(cut).as("WAF " + mode + ": the slow body was cut off").isTrue();
                assertThat(ms).as("WAF " + mode + ": time to the cut").isLessThan(10_000);
            }
            Thread.sleep(200);
            assertThat(up.requests()).as("WAF " + mode).noneSatisfy(r -> assertThat(r.body().length).isEqualTo(100000));
            Await.until(Duration.ofSeconds(5), "WAF " + mode + ": an access event with 408 for the slow body", () -> {
                node.events().flush();
                return !node.events().query("access", 0, n -> n.get("path").asText().equals("/upload") && n.get("status").asInt() == 408, 10)
                        .isEmpty();
            });
        }
    }

    @Test
    void oneClientCannotHoldMoreConnectionsThanItsCap() throws Exception {
        set("proxy.limits.max_connections_per_ip", "5");
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Socket s = new Socket();
                s.connect(node.httpAddress(), 2000);
                s.setSoTimeout(10_000);
                assertThat(exchange(s, "/keep")).startsWith("HTTP/1.1 200 ");
                held.add(s);
            }
            try (Socket sixth = new Socket()) {
                sixth.connect(node.httpAddress(), 2000);
                sixth.setSoTimeout(10_000);
                String resp = exchange(sixth, "/sixth");
                assertThat(resp).startsWith("HTTP/1.1 429 ").contains("proxy.limits.max_connections_per_ip").contains("request id: ");
            }
            held.remove(0).close();
            Await.until(Duration.ofSeconds(5), "a closed connection frees its place", () -> {
                try (Socket again = new Socket()) {
                    again.connect(node.httpAddress(), 2000);
                    again.setSoTimeout(10_000);
                    return exchange(again, "/again").startsWith("HTTP/1.1 200 ");
                } catch (IOException e) {
                    return false;
                }
            });
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        assertThat(up.requests()).noneSatisfy(r -> assertThat(r.requestLine()).contains("/sixth"));
    }

    /** One keep-alive request on {@code s}; reads the head and the short body. */
    static String exchange(Socket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: shop.test\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            b.append((char) c);
            int end = b.indexOf("\r\n\r\n");
            if (end >= 0) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(b);
                int len = m.find() ? Integer.parseInt(m.group(1)) : 0;
                b.append(new String(in.readNBytes(len), StandardCharsets.ISO_8859_1));
                break;
            }
        }
        return b.toString();
    }
}
