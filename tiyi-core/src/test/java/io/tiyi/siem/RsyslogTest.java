package io.tiyi.siem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import io.tiyi.testsupport.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** The {@link Rsyslog} harness against a real rsyslogd, fed by util-linux {@code logger} and by hand-made frames. */
class RsyslogTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SD_ID = "tiyi@32473";
    private static final String RFC3339 = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d)";

    @TempDir
    Path dir;

    @Test
    void loggerMessagesComeOutOfEachInputAsSent() throws Exception {
        try (Rsyslog rsyslog = Rsyslog.start(dir)) {
            String tag = UUID.randomUUID().toString().substring(0, 8);
            logger(List.of("-T", "--octet-count", "-n", "127.0.0.1", "-P", String.valueOf(rsyslog.tcpPort())), "tcp", tag);
            logger(List.of("-d", "-n", "127.0.0.1", "-P", String.valueOf(rsyslog.udpPort())), "udp", tag);
            logger(List.of("-d", "-u", rsyslog.unixSocket().toString(), "--socket-errors=on"), "unix", tag);

            for (String input : List.of("tcp", "udp", "unix")) {
                Rsyslog.Received r = rsyslog.await(m -> m.msg().equals("hello over " + input + " " + tag), WAIT);
                assertThat(r.input()).isEqualTo(input);
                assertThat(r.protocol()).isEqualTo("rfc5424");
                assertThat(r.version()).isEqualTo("1");
                assertThat(r.pri()).isEqualTo(20 * 8 + 4); // local4.warning
                assertThat(r.app()).isEqualTo("tiyi-" + input);
                assertThat(r.procid()).isEqualTo("4242");
                assertThat(r.msgid()).isEqualTo("WAF_BLOCK");
                assertThat(r.structuredData()).isEqualTo("[" + SD_ID + " rule=\"941100\" site=\"shop\"]");
                // logger sends its own host name and the current time; both must come through unchanged.
                assertThat(r.hostname()).isNotBlank().isNotEqualTo("-");
                assertThat(r.raw()).isEqualTo("<164>1 " + r.timestamp() + " " + r.hostname() + " tiyi-" + input + " 4242 WAF_BLOCK "
                        + r.structuredData() + " " + r.msg());
                assertThat(r.timestamp()).matches(RFC3339);
            }
            assertThat(rsyslog.received()).hasSize(3);
        }
    }

    @Test
    void handMadeFramesKeepEveryHeaderField() throws Exception {
        try (Rsyslog rsyslog = Rsyslog.start(dir)) {
            String header = "<134>1 2024-05-01T12:00:00.123+02:00 edge-1.example.com tiyi 7 ALERT [" + SD_ID + " n=\"1\"][x@1 a=\"b\\\"c\"] ";
            // TCP: two octet-counted frames in one write, then an LF-terminated one on the same connection.
            byte[] a = (header + "tcp counted a").getBytes(StandardCharsets.UTF_8);
            byte[] b = (header + "tcp counted b ü").getBytes(StandardCharsets.UTF_8);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), rsyslog.tcpPort()), 5000);
                OutputStream o = s.getOutputStream();
                o.write(frame(a));
                o.write(frame(b));
                o.write((header + "tcp line\n").getBytes(StandardCharsets.UTF_8));
                o.flush();
            }
            byte[] u = (header + "udp").getBytes(StandardCharsets.UTF_8);
            try (DatagramSocket s = new DatagramSocket()) {
                s.send(new DatagramPacket(u, u.length, InetAddress.getLoopbackAddress(), rsyslog.udpPort()));
            }
            byte[] x = (header + "unix").getBytes(StandardCharsets.UTF_8);
            try (AFUNIXDatagramChannel s = AFUNIXDatagramChannel.open()) {
                s.send(ByteBuffer.wrap(x), AFUNIXSocketAddress.of(rsyslog.unixSocket()));
            }

            List<Rsyslog.Received> all = rsyslog.awaitCount(m -> m.app().equals("tiyi"), 5, WAIT);
            assertThat(all).extracting(Rsyslog.Received::msg).containsExactlyInAnyOrder("tcp counted a", "tcp counted b ü", "tcp line", "udp",
                    "unix");
            // One connection: its frames in the order sent.
            assertThat(all.stream().filter(m -> m.input().equals("tcp")).map(Rsyslog.Received::msg)).containsExactly("tcp counted a",
                    "tcp counted b ü", "tcp line");
            for (Rsyslog.Received r : all) {
                assertThat(r.pri()).isEqualTo(134);
                assertThat(r.protocol()).isEqualTo("rfc5424");
                assertThat(r.timestamp()).isEqualTo("2024-05-01T12:00:00.123+02:00");
                assertThat(r.hostname()).isEqualTo("edge-1.example.com");
                assertThat(r.procid()).isEqualTo("7");
                assertThat(r.msgid()).isEqualTo("ALERT");
                assertThat(r.structuredData()).isEqualTo("[" + SD_ID + " n=\"1\"][x@1 a=\"b\\\"c\"]");
                assertThat(r.raw()).isEqualTo(header + r.msg());
            }
            assertThat(all).extracting(Rsyslog.Received::input).containsOnly("tcp", "udp", "unix").contains("udp", "unix");
        }
    }

    /** What rsyslog does with a few RFC 5424 corners, recorded so that tests of our sender know what to expect. */
    @Test
    void rsyslogQuirks() throws Exception {
        try (Rsyslog rsyslog = Rsyslog.start(dir)) {
            String bom = "\uFEFF";
            tcp(rsyslog, frame(("<14>1 2024-05-01T12:00:00Z h app - BOM - " + bom + "with bom").getBytes(StandardCharsets.UTF_8)));
            tcp(rsyslog, frame("<14>1 - - - - - - all nil".getBytes(StandardCharsets.UTF_8)));
            tcp(rsyslog, frame("<14>1 2024-05-01T12:00:00Z h app - LF - two\nlines".getBytes(StandardCharsets.UTF_8)));

            // The BOM is kept at the start of MSG.
            assertThat(rsyslog.await(m -> m.msgid().equals("BOM"), WAIT).msg()).isEqualTo(bom + "with bom");
            // NILVALUE fields stay "-", except TIMESTAMP: rsyslog puts in the time it received the message.
            Rsyslog.Received nil = rsyslog.await(m -> m.msg().equals("all nil"), WAIT);
            assertThat(nil.hostname()).isEqualTo("-");
            assertThat(nil.app()).isEqualTo("-");
            assertThat(nil.procid()).isEqualTo("-");
            assertThat(nil.msgid()).isEqualTo("-");
            assertThat(nil.structuredData()).isEqualTo("-");
            assertThat(nil.timestamp()).matches(RFC3339);
            // A control character inside a frame is escaped on receipt (parser.escapeControlCharactersOnReceive), in raw too.
            Rsyslog.Received lf = rsyslog.await(m -> m.msgid().equals("LF"), WAIT);
            assertThat(lf.msg()).isEqualTo("two#012lines");
            assertThat(lf.raw()).endsWith("two#012lines");

            // Beyond maxMessageSize (64k) a message is cut to 65536 bytes, with a warning on stderr. (With octet
            // counting, rsyslog 8.2302 then reads the rest of the frame as one more message.)
            String big = "<14>1 - h big - - - ";
            tcp(rsyslog, frame((big + "x".repeat(70_000)).getBytes(StandardCharsets.US_ASCII)));
            assertThat(rsyslog.await(m -> m.app().equals("big"), WAIT).raw()).hasSize(65_536).startsWith(big + "xxx");
            Path stderr = dir.resolve("rsyslogd.stderr");
            Await.until(WAIT, "rsyslogd's oversize warning on stderr", () -> {
                try {
                    return Files.readString(stderr).contains("oversize message");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(Files.readString(stderr)).contains("oversize message");
        }
    }

    @Test
    void stopClosesTheListenersAndRestartReusesPortsAndSocket() throws Exception {
        try (Rsyslog rsyslog = Rsyslog.start(dir)) {
            int tcp = rsyslog.tcpPort();
            int udp = rsyslog.udpPort();
            Path socket = rsyslog.unixSocket();
            logger(List.of("-T", "--octet-count", "-n", "127.0.0.1", "-P", String.valueOf(tcp)), "tcp", "before");
            rsyslog.await(m -> m.msg().equals("hello over tcp before"), WAIT);

            rsyslog.stop();
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp), 2000);
                }
            }).isInstanceOf(ConnectException.class);
            assertThat(socket).doesNotExist();
            assertThat(rsyslog.received()).extracting(Rsyslog.Received::msg).containsExactly("hello over tcp before");

            rsyslog.restart();
            assertThat(rsyslog.tcpPort()).isEqualTo(tcp);
            assertThat(rsyslog.udpPort()).isEqualTo(udp);
            assertThat(rsyslog.unixSocket()).isEqualTo(socket).exists();
            logger(List.of("-T", "--octet-count", "-n", "127.0.0.1", "-P", String.valueOf(tcp)), "tcp", "after");
            logger(List.of("-d", "-n", "127.0.0.1", "-P", String.valueOf(udp)), "udp", "after");
            logger(List.of("-d", "-u", socket.toString(), "--socket-errors=on"), "unix", "after");
            rsyslog.awaitCount(m -> m.msg().endsWith(" after"), 3, WAIT);
            assertThat(rsyslog.received()).extracting(Rsyslog.Received::msg).startsWith("hello over tcp before")
                    .contains("hello over tcp after", "hello over udp after", "hello over unix after").hasSize(4);
        }
    }

    @Test
    void restartWaitsForAPortAnotherSocketHolds() throws Exception {
        try (Rsyslog rsyslog = Rsyslog.start(dir)) {
            rsyslog.stop();
            Thread release;
            try (ServerSocket other = new ServerSocket()) {
                other.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), rsyslog.tcpPort()));
                release = new Thread(() -> {
                    try {
                        Thread.sleep(500);
                        other.close();
                    } catch (InterruptedException | IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                release.start();
                // rsyslogd runs on without the TCP listener it could not bind, and the harness's TCP probe reaches
                // the other socket: the harness must tell from rsyslog's stderr, and try the same ports again.
                rsyslog.restart();
            }
            release.join();
            assertThat(Files.readString(dir.resolve("rsyslogd.stderr"))).contains("Could not create tcp listener, ignoring port " + rsyslog.tcpPort());
            tcp(rsyslog, frame("<14>1 - h app - - - back".getBytes(StandardCharsets.UTF_8)));
            assertThat(rsyslog.await(m -> m.msg().equals("back"), WAIT).input()).isEqualTo("tcp");
        }
    }

    @Test
    void awaitFailsListingWhatArrived() throws Exception {
        try (Rsyslog rsyslog = Rsyslog.start(dir)) {
            tcp(rsyslog, frame("<14>1 - h app - - - something else".getBytes(StandardCharsets.UTF_8)));
            rsyslog.await(m -> m.msg().equals("something else"), WAIT);
            assertThatThrownBy(() -> rsyslog.await(m -> m.msg().equals("never sent"), Duration.ofMillis(200)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("0 of 1")
                    .hasMessageContaining("1 received")
                    .hasMessageContaining("tcp <14> <14>1 - h app - - - something else");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** RFC 6587 octet counting: MSG-LEN SP SYSLOG-MSG. */
    private static byte[] frame(byte[] msg) {
        byte[] len = (msg.length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] f = new byte[len.length + msg.length];
        System.arraycopy(len, 0, f, 0, len.length);
        System.arraycopy(msg, 0, f, len.length, msg.length);
        return f;
    }

    private static void tcp(Rsyslog rsyslog, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), rsyslog.tcpPort()), 5000);
            s.getOutputStream().write(bytes);
        }
    }

    /**
     * Runs {@code logger --rfc5424=notq} (no timeQuality element of its own) with app
     * {@code tiyi-<input>}, procid 4242, msgid WAF_BLOCK, structured data and message
     * {@code hello over <input> <tag>}.
     */
    private void logger(List<String> transport, String input, String tag) throws Exception {
        Path logger = List.of("/usr/bin/logger", "/bin/logger").stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (logger == null) {
            if ("1".equals(System.getenv("TIYI_REQUIRE_EXTERNAL"))) {
                fail("logger (util-linux) not installed (TIYI_REQUIRE_EXTERNAL=1)");
            }
            Assumptions.abort("logger (util-linux) not installed");
        }
        List<String> cmd = new ArrayList<>(List.of(logger.toString(), "--rfc5424=notq"));
        cmd.addAll(transport);
        cmd.addAll(List.of("-t", "tiyi-" + input, "--id=4242", "-p", "local4.warning", "--msgid", "WAF_BLOCK", "--sd-id", SD_ID, "--sd-param",
                "rule=\"941100\"", "--sd-param", "site=\"shop\"", "hello over " + input + " " + tag));
        Path log = dir.resolve("logger-" + input + "-" + tag + ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("logger did not finish in 10 s: " + cmd);
        }
        assertThat(p.exitValue()).as("%s exit; output: %s", cmd, Files.readString(log)).isZero();
    }
}
