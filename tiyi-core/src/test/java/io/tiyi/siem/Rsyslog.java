package io.tiyi.siem;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A real rsyslogd, run unprivileged as a child process for a test, listening on loopback TCP
 * (RFC 6587 octet-counted or newline framing), loopback UDP and a unix datagram socket. Every
 * message it receives is written by rsyslog, one JSON object a line, to {@code received.jsonl}
 * in the directory given to {@link #start}, and read back here as {@link Received}: the fields
 * as rsyslog's RFC 5424 parser saw them.
 *
 * <p>Files in that directory: {@code rsyslog.conf}, {@code rsyslogd.pid}, {@code siem.sock},
 * {@code received.jsonl}, {@code probes.jsonl} (the harness's readiness probes, kept out of
 * {@link #received()}), {@code rsyslogd.log} (rsyslogd's own messages), {@code rsyslogd.stderr}
 * and {@code work/} (rsyslog's work directory).
 *
 * <p>Readiness: {@link #start} and {@link #restart} return once the TCP port accepts, the socket
 * file exists and a probe sent through each of the three listeners has come out in rsyslog's
 * output, which also proves the listeners are rsyslog's and not another process's that took a
 * port in between. A port rsyslog could not bind is retried with fresh ports on start and with
 * the same ports on restart.
 */
public final class Rsyslog implements AutoCloseable {
    /**
     * One message as rsyslog parsed it. {@code input} is the listener that got it ({@code tcp},
     * {@code udp} or {@code unix}); {@code protocol} the syslog format rsyslog parsed it as,
     * {@code rfc5424} or {@code rfc3164} (from its protocol-version, {@code 1} or {@code 0}, which
     * is {@code version}); {@code timestamp} is TIMESTAMP as sent (rsyslog's reception time when
     * it was {@code -}); header fields sent as {@code -} stay {@code -}; {@code pri} is -1 when
     * rsyslog had none; {@code raw} is the message without its framing.
     */
    public record Received(String input, String protocol, int pri, String version, String timestamp, String hostname, String app, String procid,
            String msgid, String structuredData, String msg, String raw) {
    }

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;
    private static final long POLL_MILLIS = 20;
    private static final String PROBE_MSGID = "TIYI-HARNESS-PROBE";
    private static final List<String> BINARIES = List.of("/usr/sbin/rsyslogd", "/sbin/rsyslogd", "/usr/local/sbin/rsyslogd");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroy), "rsyslog-harness-cleanup"));
    }

    private final Path dir;
    private final Path binary;
    private final Path conf;
    private final Path pidFile;
    private final Path socket;
    private final Path out;
    private final Path probes;
    private final Path stderr;
    private int tcpPort;
    private int udpPort;
    private Process process;
    private final FileTail receivedTail;
    private final FileTail probeTail;

    private Rsyslog(Path dir, Path binary) {
        this.dir = dir.toAbsolutePath();
        this.binary = binary;
        this.conf = this.dir.resolve("rsyslog.conf");
        this.pidFile = this.dir.resolve("rsyslogd.pid");
        this.socket = this.dir.resolve("siem.sock");
        this.out = this.dir.resolve("received.jsonl");
        this.probes = this.dir.resolve("probes.jsonl");
        this.stderr = this.dir.resolve("rsyslogd.stderr");
        this.receivedTail = new FileTail(out);
        this.probeTail = new FileTail(probes);
    }

    /**
     * Starts rsyslogd -n with a config written into dir: imtcp on a free loopback port, imudp on a
     * free loopback port, imuxsock on dir/siem.sock (a unix datagram socket). Skips the calling
     * test (JUnit Assumptions) when rsyslogd is not installed, but fails instead when the env var
     * TIYI_REQUIRE_EXTERNAL=1.
     */
    public static Rsyslog start(Path dir) {
        Path binary = BINARIES.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (binary == null) {
            String why = "rsyslogd not installed (looked at " + BINARIES + ")";
            if ("1".equals(System.getenv("TIYI_REQUIRE_EXTERNAL"))) {
                fail(why + " (TIYI_REQUIRE_EXTERNAL=1)");
            }
            Assumptions.abort(why);
        }
        Rsyslog r = new Rsyslog(dir, binary);
        int socketPathBytes = r.socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (socketPathBytes > 107) {
            fail("unix socket path too long for AF_UNIX (" + socketPathBytes + " bytes > 107): " + r.socket);
        }
        try {
            Files.createDirectories(r.dir.resolve("work"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BindFailed last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            r.tcpPort = freeTcpPort();
            r.udpPort = freeUdpPort();
            r.writeConfig();
            try {
                r.launch();
                return r;
            } catch (BindFailed e) {
                last = e;
            }
        }
        throw new AssertionError("rsyslogd could not bind its ports in " + START_ATTEMPTS + " attempts: " + last.getMessage());
    }

    public int tcpPort() {
        return tcpPort;
    }

    public int udpPort() {
        return udpPort;
    }

    public Path unixSocket() {
        return socket;
    }

    /** Every message received so far, in arrival order. */
    public synchronized List<Received> received() {
        return List.copyOf(receivedTail.poll());
    }

    /** Waits (polling the output file) until a received message matches, or fails with a message listing what did arrive. */
    public Received await(Predicate<Received> p, Duration timeout) {
        return awaitCount(p, 1, timeout).get(0);
    }

    /** Waits until at least n messages matched; returns every message matching by then, in arrival order. */
    public List<Received> awaitCount(Predicate<Received> p, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Received> all = received();
            List<Received> matched = all.stream().filter(p).collect(Collectors.toList());
            if (matched.size() >= n) {
                return matched;
            }
            if (System.nanoTime() - deadline >= 0) {
                StringBuilder b = new StringBuilder();
                b.append("rsyslog: ").append(matched.size()).append(" of ").append(n).append(" expected messages matched within ")
                        .append(timeout).append("; ").append(all.size()).append(" received:");
                for (Received r : all) {
                    b.append("\n  ").append(r.input()).append(" <").append(r.pri()).append("> ").append(r.raw());
                }
                synchronized (this) {
                    if (process == null) {
                        b.append("\nrsyslogd is stopped");
                    } else if (!process.isAlive()) {
                        b.append("\nrsyslogd exited with ").append(process.exitValue());
                    }
                }
                String err = tail(stderr);
                if (!err.isBlank()) {
                    // rsyslogd's own warnings, oversize messages for one
                    b.append("\nrsyslogd stderr:\n").append(err);
                }
                throw new AssertionError(b.toString());
            }
            sleep(POLL_MILLIS);
        }
    }

    /** Stops rsyslogd (SIGTERM, wait), keeping its output; listeners are gone afterwards. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        } finally {
            LIVE.remove(p);
        }
        if (p.isAlive()) {
            throw new AssertionError("rsyslogd (pid " + p.pid() + ") did not exit within " + STOP_TIMEOUT + " of SIGTERM and SIGKILL");
        }
        // rsyslog removes both on SIGTERM; after a SIGKILL they are stale.
        deleteQuietly(socket);
        deleteQuietly(pidFile);
    }

    /** Starts it again on the same ports and socket path. */
    public synchronized void restart() {
        stop();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try {
                launch();
                return;
            } catch (BindFailed e) {
                // Another process holds a port for now (a client's ephemeral port, say): try the same ports again.
                if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("rsyslogd could not bind its ports again on restart: " + e.getMessage());
                }
                sleep(200);
            }
        }
    }

    /** Stops it. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "rsyslogd[tcp=" + tcpPort + ", udp=" + udpPort + ", unix=" + socket + ", dir=" + dir + "]";
    }

    // ---- process ------------------------------------------------------------------------------

    private static final class BindFailed extends Exception {
        BindFailed(String message) {
            super(message);
        }
    }

    private synchronized void launch() throws BindFailed {
        deleteQuietly(socket);
        deleteQuietly(pidFile);
        long stderrFrom = size(stderr);
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "-n", "-f", conf.toString(), "-i", pidFile.toString());
        pb.directory(dir.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
        // Not a systemd service: no readiness notification, no socket activation.
        Map<String, String> env = pb.environment();
        env.remove("NOTIFY_SOCKET");
        env.remove("LISTEN_PID");
        env.remove("LISTEN_FDS");
        env.remove("LISTEN_FDNAMES");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + binary, e);
        }
        LIVE.add(p);
        process = p;
        try {
            awaitReady(p, stderrFrom);
        } catch (BindFailed | RuntimeException | Error e) {
            stop();
            throw e;
        }
    }

    /** Waits until each listener has delivered a probe to the output, failing early when rsyslogd exits or reports a bind failure. */
    private void awaitReady(Process p, long stderrFrom) throws BindFailed {
        String nonce = UUID.randomUUID().toString();
        long started = System.nanoTime();
        long deadline = started + READY_TIMEOUT.toNanos();
        boolean tcpSent = false;
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (DatagramSocket udp = new DatagramSocket(); AFUNIXDatagramChannel unix = AFUNIXDatagramChannel.open()) {
            while (true) {
                String err = readFrom(stderr, stderrFrom);
                if (err.contains("Address already in use") || err.contains("Could not create tcp listener")
                        || err.contains("Could not create udp listener")) {
                    throw new BindFailed("tcp " + tcpPort + ", udp " + udpPort + ": " + err.strip());
                }
                if (!p.isAlive()) {
                    throw new AssertionError("rsyslogd exited with " + p.exitValue() + " while starting (" + this + "); stderr:\n" + err
                            + "\nconfig:\n" + readFrom(conf, 0));
                }
                for (Received r : probeTail.poll()) {
                    if (r.msg().equals(nonce)) {
                        seen.add(r.input());
                    }
                }
                if (seen.containsAll(List.of("tcp", "udp", "unix"))) {
                    return;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("rsyslogd not ready within " + READY_TIMEOUT + " (" + this + "): probes arrived from " + seen
                            + ", tcp probe sent " + tcpSent + ", socket file exists " + Files.exists(socket) + "; stderr:\n" + err);
                }
                if (!tcpSent) {
                    tcpSent = sendTcpProbe(nonce);
                }
                if (!seen.contains("udp")) {
                    byte[] b = probe(nonce);
                    udp.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), udpPort));
                }
                if (!seen.contains("unix") && Files.exists(socket)) {
                    byte[] b = probe(nonce);
                    try {
                        unix.send(ByteBuffer.wrap(b), AFUNIXSocketAddress.of(socket));
                    } catch (IOException e) {
                        // the file exists but rsyslog is not reading yet (or it is a stale one): next round
                    }
                }
                sleep(POLL_MILLIS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one octet-counted probe; false when the port does not accept yet. */
    private boolean sendTcpProbe(String nonce) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcpPort), 500);
            byte[] b = probe(nonce);
            OutputStream o = s.getOutputStream();
            o.write((b.length + " ").getBytes(StandardCharsets.US_ASCII));
            o.write(b);
            o.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] probe(String nonce) {
        return ("<14>1 - - rsyslog-harness - " + PROBE_MSGID + " - " + nonce).getBytes(StandardCharsets.US_ASCII);
    }

    // ---- config -------------------------------------------------------------------------------

    private void writeConfig() {
        String d = q(dir.toString());
        String c = """
                # Written by the test harness io.tiyi.siem.Rsyslog: a private, unprivileged rsyslogd.
                # Global settings first: maxMessageSize must be known before the inputs are loaded.
                global(
                  workDirectory="%1$s/work"
                  maxMessageSize="64k"
                  net.enableDNS="off"
                  # LEEF separates its attributes with tabs: keep them, as a QRadar-bound relay must.
                  parser.escapeControlCharacterTab="off"
                )
                # One worker: messages are written in the order the inputs handed them over.
                main_queue(queue.workerThreads="1")

                # No imklog, no imjournal, and not the system log socket.
                module(load="imuxsock" SysSock.Use="off")
                module(load="imtcp")
                module(load="imudp")

                template(name="tiyiJson" type="list" option.jsonf="on") {
                  property(outname="input" name="inputname" format="jsonf")
                  property(outname="pri" name="pri" format="jsonf")
                  property(outname="version" name="protocol-version" format="jsonf")
                  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
                  property(outname="hostname" name="hostname" format="jsonf")
                  property(outname="app" name="app-name" format="jsonf")
                  property(outname="procid" name="procid" format="jsonf")
                  property(outname="msgid" name="msgid" format="jsonf")
                  property(outname="sd" name="structured-data" format="jsonf")
                  property(outname="msg" name="msg" format="jsonf")
                  property(outname="raw" name="rawmsg" format="jsonf")
                }

                ruleset(name="siem") {
                  if $msgid == "%2$s" then {
                    action(type="omfile" file="%1$s/probes.jsonl" template="tiyiJson")
                    stop
                  }
                  action(type="omfile" file="%1$s/received.jsonl" template="tiyiJson")
                }

                # TCP: octet-counted (RFC 6587 3.4.1) and LF-delimited framing, told apart per frame.
                input(type="imtcp" address="127.0.0.1" port="%3$d" ruleset="siem" supportOctetCountedFraming="on")
                input(type="imudp" address="127.0.0.1" port="%4$d" ruleset="siem")
                # The unix socket through the regular parser chain (RFC 5424 as sent, hostname and timestamp
                # included), not imuxsock's special parser for syslog(3) lines, which drops them.
                input(type="imuxsock" socket="%5$s" ruleset="siem"
                      useSpecialParser="off" parseHostname="on" ignoreTimestamp="off" useSysTimeStamp="off"
                      createPath="off" unlink="on" rateLimit.interval="0")

                # rsyslogd's own messages (default ruleset).
                action(type="omfile" file="%1$s/rsyslogd.log")
                """.formatted(d, PROBE_MSGID, tcpPort, udpPort, q(socket.toString()));
        try {
            Files.writeString(conf, c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The inside of a RainerScript string literal. */
    private static String q(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    // ---- output -------------------------------------------------------------------------------

    /** Reads complete lines appended to a JSON-lines file since the last poll. */
    private static final class FileTail {
        private final Path file;
        private final List<Received> parsed = new ArrayList<>();
        private long offset;
        private byte[] partial = new byte[0];

        FileTail(Path file) {
            this.file = file;
        }

        synchronized List<Received> poll() {
            byte[] fresh;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size <= offset) {
                    return parsed;
                }
                ByteBuffer buf = ByteBuffer.allocate((int) (size - offset));
                while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                    // read on
                }
                fresh = new byte[buf.position()];
                buf.flip().get(fresh);
                offset += fresh.length;
            } catch (java.nio.file.NoSuchFileException e) {
                return parsed;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            byte[] data = new byte[partial.length + fresh.length];
            System.arraycopy(partial, 0, data, 0, partial.length);
            System.arraycopy(fresh, 0, data, partial.length, fresh.length);
            int start = 0;
            for (int i = 0; i < data.length; i++) {
                if (data[i] == '\n') {
                    // Bytes that are not UTF-8 (rsyslog passes them through) become U+FFFD.
                    String line = new String(data, start, i - start, StandardCharsets.UTF_8);
                    if (!line.isBlank()) {
                        parsed.add(parse(line));
                    }
                    start = i + 1;
                }
            }
            partial = java.util.Arrays.copyOfRange(data, start, data.length);
            return parsed;
        }
    }

    private static Received parse(String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("rsyslog wrote a line that is not JSON: " + line, e);
        }
        String inputName = text(n, "input");
        String input = switch (inputName) {
            case "imtcp" -> "tcp";
            case "imudp" -> "udp";
            case "imuxsock" -> "unix";
            default -> inputName;
        };
        String version = text(n, "version");
        String protocol = switch (version) {
            case "1" -> "rfc5424";
            case "0" -> "rfc3164";
            default -> version;
        };
        String pri = text(n, "pri");
        return new Received(input, protocol, pri.isEmpty() ? -1 : Integer.parseInt(pri), version, text(n, "timestamp"),
                text(n, "hostname"), text(n, "app"), text(n, "procid"), text(n, "msgid"), text(n, "sd"), text(n, "msg"), text(n, "raw"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static int freeTcpPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path f) {
        try {
            return Files.exists(f) ? Files.size(f) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String readFrom(Path f, long from) {
        try {
            byte[] b = Files.exists(f) ? Files.readAllBytes(f) : new byte[0];
            int start = (int) Math.min(from, b.length);
            return new String(b, start, b.length - start, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + f + " unreadable: " + e + ")";
        }
    }

    private static String tail(Path f) {
        String s = readFrom(f, 0);
        return s.length() > 4000 ? "…" + s.substring(s.length() - 4000) : s;
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            // left for rsyslog's own unlink
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
