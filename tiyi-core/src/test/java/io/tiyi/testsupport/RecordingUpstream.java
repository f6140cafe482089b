package io.tiyi.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream that records exactly the bytes it receives, before any HTTP library could tidy
 * them. It frames requests the lenient way many backends do (a bare LF ends a line, the last
 * Content-Length wins, chunked wins over Content-Length), so a request the proxy let through
 * badly shows up here as an extra header or an extra request. Every request is answered
 * {@code 200 ok}.
 */
public final class RecordingUpstream implements AutoCloseable {
    private static final Pattern LINE_END = Pattern.compile("\r?\n|\r");

    /** One request as the upstream framed it: its head lines, and its body bytes. */
    public record Received(String requestLine, List<String> headers, byte[] body) {
        public String header(String name) {
            for (String h : headers) {
                int c = h.indexOf(':');
                if (c > 0 && h.substring(0, c).trim().equalsIgnoreCase(name)) {
                    return h.substring(c + 1).trim();
                }
            }
            return null;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "recording-upstream");
        t.setDaemon(true);
        return t;
    });
    private final List<Received> requests = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();

    public RecordingUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Every request framed so far, in arrival order. */
    public List<Received> requests() {
        return List.copyOf(requests);
    }

    /** Every byte received on every connection so far, in arrival order per read. */
    public byte[] rawBytes() {
        synchronized (raw) {
            return raw.toByteArray();
        }
    }

    public String rawText() {
        return new String(rawBytes(), StandardCharsets.ISO_8859_1);
    }

    public void clear() {
        requests.clear();
        synchronized (raw) {
            raw.reset();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                pool.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = new Recorder(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] lines = LINE_END.split(head, -1);
                List<String> headers = new ArrayList<>();
                for (int i = 1; i < lines.length; i++) {
                    if (!lines[i].isEmpty()) {
                        headers.add(lines[i]);
                    }
                }
                Received partial = new Received(lines[0], headers, new byte[0]);
                byte[] body;
                String te = partial.header("Transfer-Encoding");
                if (te != null && te.toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
                    body = readChunked(in);
                } else {
                    long cl = 0;
                    for (String h : headers) {
                        Matcher m = Pattern.compile("(?i)^\\s*content-length\\s*:\\s*(\\d+)").matcher(h);
                        if (m.find()) {
                            cl = Long.parseLong(m.group(1));
                        }
                    }
                    body = in.readNBytes((int) Math.min(cl, 64 << 20));
                    if (body.length < cl) {
                        body = null;
                    }
                }
                if (body == null) {
                    // The proxy gave up on this request before its body ended: the bytes are in
                    // rawBytes(), but it is no request the upstream would act on.
                    return;
                }
                requests.add(new Received(lines[0], List.copyOf(headers), body));
                out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // the proxy closed the connection
        }
    }

    /** The head up to the blank line, lines ended by CRLF, LF or CR; null at end of stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            String s = b.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n") || s.endsWith("\n\n")) {
                String t = s.stripLeading();
                if (t.isEmpty()) {
                    b.reset();
                    continue;
                }
                return t.substring(0, t.length() - (s.endsWith("\r\n\r\n") ? 4 : 2));
            }
        }
        return null;
    }

    /** A chunked body, or null when the connection ended before its last chunk. */
    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = readLine(in);
            if (line == null) {
                return null;
            }
            String size = line.split(";", 2)[0].trim();
            int n = size.isEmpty() ? 0 : Integer.parseInt(size, 16);
            if (n == 0) {
                while (true) {
                    String trailer = readLine(in);
                    if (trailer == null || trailer.isEmpty()) {
                        return body.toByteArray();
                    }
                }
            }
            body.write(in.readNBytes(n));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int n = s.length();
                return n > 0 && s.charAt(n - 1) == '\r' ? s.substring(0, n - 1) : s.toString();
            }
            s.append((char) c);
        }
        return s.length() == 0 ? null : s.toString();
    }

    private final class Recorder extends java.io.FilterInputStream {
        Recorder(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                synchronized (raw) {
                    raw.write(c);
                }
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                synchronized (raw) {
                    raw.write(b, off, n);
                }
            }
            return n;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }
}
