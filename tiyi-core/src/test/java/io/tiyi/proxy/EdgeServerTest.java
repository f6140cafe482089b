package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.testsupport.Await;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The edge listeners on their own: what they keep per connection once it is gone. */
class EdgeServerTest {
    @Test
    void closedConnectionsLeaveNothingBehind() throws Exception {
        EdgeMarker marker = new EdgeMarker();
        try (EdgeServer server = EdgeServer.start(new InetSocketAddress("127.0.0.1", 0), null, null,
                ex -> ex.getResponseSender().send("ok"), RuntimeConfig.Limits::defaults, marker)) {
            for (int i = 0; i < 300; i++) {
                try (Socket s = new Socket()) {
                    s.connect(server.httpAddress(), 2000);
                    s.setSoTimeout(5000);
                    s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 ");
                }
            }
            // Connections that are closed and collected must not stay registered (each held its buffers and Undertow's connection).
            Await.until(Duration.ofSeconds(20), "closed connections forgotten", () -> {
                System.gc();
                return marker.registered() < 30;
            });
        }
    }
}
