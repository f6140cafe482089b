package io.tiyi.siem;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.events.AccessEvent;
import io.tiyi.events.AgentSecurityEvent;
import io.tiyi.events.AuditLogEvent;
import io.tiyi.events.ErrorEvent;
import io.tiyi.events.Event;
import io.tiyi.events.SecurityEvent;
import io.tiyi.proxy.RuntimeConfig.SiemConfig;
import io.tiyi.testsupport.Await;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

class SiemDispatcherTest {
    private static final Origin ORIGIN = new Origin("edge-1", "node-1", "3.0.0", 42);
    private final MetricRegistry metrics = new MetricRegistry();
    private SiemDispatcher dispatcher;
    private TcpReceiver receiver;

    @AfterEach
    void tearDown() throws Exception {
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    static SiemConfig config(String address) {
        return new SiemConfig(true, address, "rfc5424", false, false, 1, "info");
    }

    static SecurityEvent blocked(String id) {
        return new SecurityEvent(1_700_000_000_000L, id, "203.0.113.7", "10.0.0.5", "shop", "GET", "shop.example", "/?q=1' or '1'='1",
                "blocked", 403, List.of(942100L, 949110L), List.of("SQL Injection Attack Detected via libinjection", "Inbound Anomaly Score Exceeded"),
                "ARGS:q=1' or '1'='1", 5);
    }

    static SecurityEvent detected(String id) {
        return new SecurityEvent(1_700_000_000_000L, id, "203.0.113.7", "10.0.0.5", "shop", "GET", "shop.example", "/", "detected", 200,
                List.of(920350L), List.of("Host header is a numeric IP address"), "REQUEST_HEADERS:Host=1.2.3.4", 0);
    }

    static AccessEvent access(String id) {
        return new AccessEvent(1_700_000_000_000L, id, "203.0.113.7", "10.0.0.5", "GET", "shop.example", "/", 200, 12, "shop",
                "http://10.0.0.9:8080", 3, 4);
    }

    @Test
    void forwardsSecurityEventsOverTcpWithOctetCounting() throws Exception {
        receiver = new TcpReceiver(0);
        dispatcher = new SiemDispatcher(ORIGIN, metrics, 100);
        dispatcher.configure(config("tcp://127.0.0.1:" + receiver.port()));
        assertThat(dispatcher.offer(blocked("r1"))).isTrue();
        assertThat(dispatcher.offer(new ErrorEvent(1L, "r2", "1.2.3.4", "shop", "GET", "h", "/", 502, "no upstream"))).isTrue();
        List<String> got = receiver.await(2);
        assertThat(got.get(0)).startsWith("<132>1 ").contains(" tiyi 42 security ").contains("942100");
        assertThat(got.get(1)).startsWith("<131>1 ").contains(" error ");
        assertThat(dispatcher.stats().sent()).isEqualTo(2);
        assertThat(metrics.getCounters().get("tiyi.siem.sent").getCount()).isEqualTo(2);
    }

    @Test
    void aSecurityEventAnAgentShippedIsNotForwardedAgainByTheControlPlane() throws Exception {
        receiver = new TcpReceiver(0);
        dispatcher = new SiemDispatcher(ORIGIN, metrics, 100);
        dispatcher.configure(config("tcp://127.0.0.1:" + receiver.port()));
        assertThat(dispatcher.offer(new AgentSecurityEvent(blocked("shipped"), "ag-1"))).as("the agent forwarded it itself").isFalse();
        assertThat(dispatcher.offer(blocked("local"))).isTrue();
        List<String> got = receiver.await(1);
        assertThat(got.get(0)).contains("local");
        assertThat(dispatcher.stats().sent()).isEqualTo(1);
        assertThat(dispatcher.stats().dropped().values()).as("skipped, not dropped").containsOnly(0L);
        assertThat(dispatcher.stats().queueDepth()).isZero();
    }

    @Test
    void filtersByTypeSeverityAndSampling() throws Exception {
        receiver = new TcpReceiver(0);
        dispatcher = new SiemDispatcher(ORIGIN, metrics, 100);
        String addr = "tcp://127.0.0.1:" + receiver.port();
        dispatcher.configure(new SiemConfig(false, addr, "rfc5424", true, true, 1, "info"));
        assertThat(dispatcher.offer(blocked("off"))).as("disabled").isFalse();

        dispatcher.configure(new SiemConfig(true, addr, "rfc5424", false, false, 1, "info"));
        assertThat(dispatcher.offer(access("a"))).as("access is off by default").isFalse();
        assertThat(dispatcher.offer(new AuditLogEvent(1L, 7, "admin", "users.create", "user:alice", Map.of()))).as("audit off").isFalse();

        dispatcher.configure(new SiemConfig(true, addr, "rfc5424", true, true, 0, "info"));
        assertThat(dispatcher.offer(access("a"))).as("sampled at 0").isFalse();
        assertThat(dispatcher.offer(new AuditLogEvent(1L, 7, "admin", "users.create", "user:alice", Map.of()))).as("audit on").isTrue();

        dispatcher.configure(new SiemConfig(true, addr, "rfc5424", true, true, 1, "info"));
        assertThat(dispatcher.offer(access("a"))).as("sampled at 1").isTrue();

        dispatcher.configure(new SiemConfig(true, addr, "rfc5424", true, true, 1, "warning"));
        assertThat(dispatcher.offer(detected("d"))).as("notice under a warning floor").isFalse();
        assertThat(dispatcher.offer(access("a"))).as("info under a warning floor").isFalse();
        assertThat(dispatcher.offer(blocked("b"))).as("blocked is a warning").isTrue();
        receiver.await(3);
        assertThat(dispatcher.stats().dropped().values()).allMatch(n -> n == 0);
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        dispatcher = new SiemDispatcher(ORIGIN, metrics, 10);
        dispatcher.configure(config("tcp://127.0.0.1:" + closedPort));
        dispatcher.offer(blocked("first"));
        Await.until(Duration.ofSeconds(5), "the sender to take the first event and fail to connect",
                () -> dispatcher.stats().queueDepth() == 0 && dispatcher.stats().lastError() != null);
        // The sender holds the first event while it waits to reconnect; the queue takes 10 more.
        int accepted = 0;
        for (int i = 0; i < 25; i++) {
            if (dispatcher.offer(blocked("e" + i))) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(10);
        SiemDispatcher.Stats s = dispatcher.stats();
        assertThat(s.dropped().get(SiemDispatcher.Drop.QUEUE_FULL)).isEqualTo(15);
        assertThat(s.queueDepth()).isEqualTo(10);
        assertThat(s.connected()).isFalse();
        assertThat(s.lastError()).startsWith("cannot connect to tcp://127.0.0.1:" + closedPort);
        assertThat(metrics.getCounters().get("tiyi.siem.dropped.queue_full").getCount()).isEqualTo(15);
        assertThat(metrics.getGauges().get("tiyi.siem.queue_depth").getValue()).isEqualTo(10);
    }

    @Test
    void reconnectsWhenTheReceiverComesBackAndSendsWhatWaited() throws Exception {
        receiver = new TcpReceiver(0);
        int port = receiver.port();
        dispatcher = new SiemDispatcher(ORIGIN, metrics, 100);
        dispatcher.configure(config("tcp://127.0.0.1:" + port));
        dispatcher.offer(blocked("before"));
        receiver.await(1);
        receiver.close();
        Thread.sleep(100);
        for (int i = 0; i < 5; i++) {
            dispatcher.offer(blocked("during-" + i));
        }
        Thread.sleep(300);
        receiver = new TcpReceiver(port);
        List<String> got = receiver.await(5);
        assertThat(String.join("\n", got)).contains("during-0").contains("during-4");
        assertThat(dispatcher.stats().reconnects()).isGreaterThanOrEqualTo(1);
        assertThat(dispatcher.stats().connected()).isTrue();
    }

    @Test
    void aTestEventReportsWhetherItWasWritten() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        dispatcher = new SiemDispatcher(ORIGIN, metrics, 100);
        SiemDispatcher.TestResult off = dispatcher.test(new TestEvent(1L, "admin", "t0"), Duration.ofSeconds(5));
        assertThat(off.written()).isFalse();
        assertThat(off.error()).contains("siem.enabled");

        dispatcher.configure(config("tcp://127.0.0.1:" + closedPort));
        SiemDispatcher.TestResult refused = dispatcher.test(new TestEvent(1L, "admin", "t1"), Duration.ofSeconds(5));
        assertThat(refused.written()).isFalse();
        assertThat(refused.error()).startsWith("cannot connect to tcp://127.0.0.1:" + closedPort + ": ").containsIgnoringCase("refused");

        receiver = new TcpReceiver(0);
        dispatcher.configure(config("tcp://127.0.0.1:" + receiver.port()));
        SiemDispatcher.TestResult ok = dispatcher.test(new TestEvent(1L, "admin", "t2"), Duration.ofSeconds(5));
        assertThat(ok.written()).as(ok.toString()).isTrue();
        assertThat(ok.bytes()).isGreaterThan(ok.message().length());
        assertThat(receiver.await(1).get(0)).contains("t2").contains(" test ");
    }

    @Test
    void udpCutsLongMessagesToOneSafeDatagram() throws Exception {
        try (DatagramSocket in = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            in.setSoTimeout(5000);
            dispatcher = new SiemDispatcher(ORIGIN, metrics, 100);
            dispatcher.configure(new SiemConfig(true, "udp://127.0.0.1:" + in.getLocalPort(), "rfc5424", true, false, 1, "info"));
            dispatcher.offer(new AuditLogEvent(1L, 1, "admin", "sites.update", "site:" + "é".repeat(3000), Map.of()));
            dispatcher.offer(blocked("short"));
            byte[] buf = new byte[65536];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            in.receive(p);
            assertThat(p.getLength()).isLessThanOrEqualTo(UdpTransport.MAX_MESSAGE);
            String first = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
            assertThat(first).doesNotContain("\uFFFD").contains(" audit ");
            in.receive(p);
            assertThat(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8)).contains("short");
            assertThat(metrics.getCounters().get("tiyi.siem.truncated").getCount()).isEqualTo(1);
        }
    }

    @Test
    void unixgramSendsToADatagramSocket(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("siem.sock");
        try (AFUNIXDatagramSocket in = AFUNIXDatagramSocket.newInstance()) {
            in.bind(AFUNIXSocketAddress.of(sock));
            in.setSoTimeout(5000);
            dispatcher = new SiemDispatcher(ORIGIN, metrics, 100);
            dispatcher.configure(new SiemConfig(true, "unixgram://" + sock, "rfc5424", false, false, 1, "info"));
            dispatcher.offer(blocked("via-unix"));
            byte[] buf = new byte[65536];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            in.receive(p);
            String m = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
            assertThat(m).startsWith("<132>1 ").contains("via-unix").doesNotStartWith(String.valueOf(m.length()));
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void offerNeverWaitsEvenWhenTheReceiverStalls() throws Exception {
        // A receiver that accepts and never reads: the sender's writes stall, the request path must not.
        try (ServerSocket stall = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = stall.accept();
                        s.setReceiveBufferSize(1024);
                        held.add(s);
                    }
                } catch (IOException ignored) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
            dispatcher = new SiemDispatcher(ORIGIN, metrics, 1000);
            dispatcher.configure(config("tcp://127.0.0.1:" + stall.getLocalPort()));
            Event e = blocked("x".repeat(2000));
            // Were offer to wait for the sender, this loop would hang on the stalled socket (and time out).
            int accepted = 0;
            for (int i = 0; i < 50_000; i++) {
                if (dispatcher.offer(e)) {
                    accepted++;
                }
            }
            assertThat(dispatcher.stats().dropped().get(SiemDispatcher.Drop.QUEUE_FULL)).isEqualTo(50_000 - accepted).isPositive();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** A syslog receiver for RFC 6587 octet-counted frames. */
    static final class TcpReceiver implements AutoCloseable {
        private final ServerSocket server;
        private final List<String> messages = new CopyOnWriteArrayList<>();
        private final List<Socket> clients = new CopyOnWriteArrayList<>();

        TcpReceiver(int port) throws IOException {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Thread t = new Thread(this::accept, "test-syslog-receiver");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket s = server.accept();
                    clients.add(s);
                    Thread r = new Thread(() -> read(s));
                    r.setDaemon(true);
                    r.start();
                }
            } catch (IOException ignored) {
                // closed
            }
        }

        private void read(Socket s) {
            try (DataInputStream in = new DataInputStream(s.getInputStream())) {
                while (true) {
                    int len = 0;
                    int c;
                    while ((c = in.read()) != ' ') {
                        if (c < 0) {
                            return;
                        }
                        len = len * 10 + (c - '0');
                    }
                    byte[] b = new byte[len];
                    in.readFully(b);
                    messages.add(new String(b, StandardCharsets.UTF_8));
                }
            } catch (EOFException ignored) {
                // peer closed
            } catch (IOException ignored) {
                // closed
            }
        }

        List<String> await(int n) throws InterruptedException {
            Await.until(Duration.ofSeconds(10), n + " messages received", () -> messages.size() >= n);
            assertThat(messages).as("messages received").hasSizeGreaterThanOrEqualTo(n);
            return List.copyOf(messages);
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : clients) {
                s.close();
            }
        }
    }
}
