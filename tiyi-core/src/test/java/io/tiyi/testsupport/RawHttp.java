package io.tiyi.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSession;

/**
 * HTTP/1.1 GET over a plain socket, so that tests can send any Host header (java.net.http will
 * not) while connecting to the listener's real address.
 */
public final class RawHttp {
    private RawHttp() {}

    public static HttpResponse<String> get(InetSocketAddress addr, String host, String path, Map<String, String> headers) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(addr, 2000);
            return exchange(s, host, path, headers);
        }
    }

    public static HttpResponse<String> getTls(InetSocketAddress addr, String host, String path, SSLContext ctx) throws IOException {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(addr, 2000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(host)));
            p.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(p);
            s.startHandshake();
            return exchange(s, host, path, Map.of());
        }
    }

    /**
     * A POST with a body from a chosen local address (any of 127.0.0.0/8 on Linux), so that tests
     * can act as several clients.
     */
    public static HttpResponse<String> post(InetSocketAddress addr, java.net.InetAddress source, String host, String path,
            Map<String, String> headers, byte[] body) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(addr, 2000);
            return exchange(s, "POST", host, path, headers, body);
        }
    }

    private static HttpResponse<String> exchange(Socket s, String host, String path, Map<String, String> headers) throws IOException {
        return exchange(s, "GET", host, path, headers, null);
    }

    private static HttpResponse<String> exchange(Socket s, String method, String host, String path, Map<String, String> headers, byte[] payload)
            throws IOException {
        s.setSoTimeout(10_000);
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        if (payload != null) {
            req.append("Content-Length: ").append(payload.length).append("\r\n");
        }
        req.append("\r\n");
        OutputStream out = s.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (payload != null) {
            out.write(payload);
        }
        out.flush();
        BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        String status = r.readLine();
        int code = Integer.parseInt(status.split(" ")[1]);
        Map<String, List<String>> hs = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String line;
        int length = -1;
        boolean chunked = false;
        while ((line = r.readLine()) != null && !line.isEmpty()) {
            int c = line.indexOf(':');
            String k = line.substring(0, c).trim();
            String v = line.substring(c + 1).trim();
            hs.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            if (k.equalsIgnoreCase("content-length")) {
                length = Integer.parseInt(v);
            }
            if (k.equalsIgnoreCase("transfer-encoding") && v.equalsIgnoreCase("chunked")) {
                chunked = true;
            }
        }
        StringBuilder body = new StringBuilder();
        if (chunked) {
            while (true) {
                int n = Integer.parseInt(r.readLine().trim(), 16);
                if (n == 0) {
                    break;
                }
                char[] buf = new char[n];
                int read = 0;
                while (read < n) {
                    read += r.read(buf, read, n - read);
                }
                body.append(buf);
                r.readLine();
            }
        } else if (length >= 0) {
            char[] buf = new char[length];
            int read = 0;
            while (read < length) {
                int k = r.read(buf, read, length - read);
                if (k < 0) {
                    break;
                }
                read += k;
            }
            body.append(buf, 0, read);
        } else {
            int ch;
            while ((ch = r.read()) >= 0) {
                body.append((char) ch);
            }
        }
        return new Response(code, HttpHeaders.of(hs, (a, b) -> true), body.toString());
    }

    private record Response(int statusCode, HttpHeaders headers, String body) implements HttpResponse<String> {
        @Override
        public HttpRequest request() {
            return null;
        }

        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public java.net.URI uri() {
            return null;
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
