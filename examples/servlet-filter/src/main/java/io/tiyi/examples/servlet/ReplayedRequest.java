package io.tiyi.examples.servlet;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.io.UnsupportedEncodingException;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request whose body the WAF has read: the servlet reads the same bytes again (what the filter
 * read, then the rest of the stream), and form parameters of a urlencoded body are parsed from
 * those bytes, because the container cannot parse a body that was already consumed.
 */
final class ReplayedRequest extends HttpServletRequestWrapper {
    private final byte[] head;
    private final InputStream rest;
    private ServletInputStream stream;
    private Map<String, String[]> parameters;

    ReplayedRequest(HttpServletRequest request, byte[] head, InputStream rest) {
        super(request);
        this.head = head;
        this.rest = rest;
    }

    @Override
    public ServletInputStream getInputStream() {
        if (stream == null) {
            InputStream in = new SequenceInputStream(new ByteArrayInputStream(head), rest);
            stream = new ServletInputStream() {
                private boolean finished;

                @Override
                public int read() throws IOException {
                    int b = in.read();
                    finished = b < 0;
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = in.read(b, off, len);
                    finished = n < 0;
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return finished;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the request body was read by the WAF filter; read it with blocking I/O");
                }
            };
        }
        return stream;
    }

    @Override
    public BufferedReader getReader() throws UnsupportedEncodingException {
        return new BufferedReader(new InputStreamReader(getInputStream(), charset()));
    }

    private Charset charset() {
        String enc = getCharacterEncoding();
        return enc == null ? StandardCharsets.UTF_8 : Charset.forName(enc);
    }

    private Map<String, String[]> parameters() {
        if (parameters == null) {
            Map<String, List<String>> all = new LinkedHashMap<>();
            addAll(all, getQueryString());
            String type = getContentType();
            if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                try {
                    addAll(all, new String(getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read the form body: " + e.getMessage(), e);
                }
            }
            Map<String, String[]> out = new LinkedHashMap<>();
            all.forEach((k, v) -> out.put(k, v.toArray(String[]::new)));
            parameters = Collections.unmodifiableMap(out);
        }
        return parameters;
    }

    private void addAll(Map<String, List<String>> into, String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                into.computeIfAbsent(URLDecoder.decode(k, charset()), x -> new ArrayList<>()).add(URLDecoder.decode(v, charset()));
            } catch (IllegalArgumentException e) {
                into.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
    }

    @Override
    public String getParameter(String name) {
        String[] v = parameters().get(name);
        return v == null ? null : v[0];
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return parameters();
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.enumeration(parameters().keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
        return parameters().get(name);
    }
}
