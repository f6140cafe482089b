package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.config.HostPort;
import io.tiyi.events.EventLog;
import io.tiyi.testsupport.TestCerts;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listener changes of the data plane: one that cannot open leaves the listeners that were open. */
class DataPlaneListenersTest {
    @TempDir
    Path dir;

    static String status(InetSocketAddress a) throws Exception {
        try (Socket s = new Socket(a.getAddress(), a.getPort())) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: nowhere.test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        }
    }

    @Test
    void aListenerThatCannotOpenKeepsTheOnesThatWereOpen() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        EventLog events = new EventLog(dir.resolve("logs"), () -> 14);
        // A fixed port: the new listeners bind it before the HTTPS one fails, and must let it go again.
        DataPlane dp = new DataPlane(new MetricRegistry(), events, Optional.of(new HostPort("127.0.0.1", port)), Optional.empty(),
                exchange -> exchange.setStatusCode(200), Function.identity());
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String busy = "127.0.0.1:" + taken.getLocalPort();
            RuntimeConfig.Listeners listeners = new RuntimeConfig.Listeners("127.0.0.1:0", busy);
            dp.apply(new RuntimeConfig(1, listeners, List.of(), List.of(), new RuntimeConfig.WafRules("builtin", null)));
            InetSocketAddress http = dp.httpAddress().orElseThrow();
            assertThat(status(http)).isEqualTo("HTTP/1.1 404 Not Found");

            // A certificate makes the HTTPS listener open, on an address another process holds.
            TestCerts.Pem pem = TestCerts.valid("shop.test", "shop.test");
            byte[] key = Base64.getMimeDecoder().decode(pem.keyPem().replaceAll("-----[A-Z ]+-----", ""));
            RuntimeConfig.CertificateConfig cert = new RuntimeConfig.CertificateConfig("shop", pem.certPem(), key, List.of("shop.test"),
                    pem.cert().getNotAfter().getTime());
            dp.apply(new RuntimeConfig(2, listeners, List.of(), List.of(cert), new RuntimeConfig.WafRules("builtin", null)));

            assertThat(dp.current().version()).isEqualTo(2);
            assertThat(dp.httpAddress()).contains(http);
            assertThat(dp.httpsAddress()).isEmpty();
            assertThat(status(http)).as("still served on the same port").isEqualTo("HTTP/1.1 404 Not Found");

            // Later changes keep serving too (each one tries the HTTPS address again).
            dp.apply(new RuntimeConfig(3, listeners, List.of(), List.of(cert), new RuntimeConfig.WafRules("builtin", null)));
            assertThat(status(dp.httpAddress().orElseThrow())).isEqualTo("HTTP/1.1 404 Not Found");
            assertThat(dp.httpAddress()).contains(http);
        } finally {
            dp.close();
            events.close();
        }
    }
}
