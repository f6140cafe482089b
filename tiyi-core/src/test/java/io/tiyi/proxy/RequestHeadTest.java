package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The strict reading of request heads and chunked framing, byte by byte. */
class RequestHeadTest {
    static final RequestHead.Limits LIMITS = RequestHead.Limits.of(RuntimeConfig.Limits.defaults());

    static RequestHead.Result parse(String head) {
        byte[] b = head.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\u0000").replace("\\t", "\t")
                .getBytes(StandardCharsets.ISO_8859_1);
        int end = RequestHead.end(b, 0, b.length);
        assertThat(end).as("end of " + head).isEqualTo(b.length);
        return RequestHead.parse(b, 0, end, LIMITS);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|NONE|0",
        "GET / HTTP/1.1\\nHost: a\\n\\n|NONE|0",
        "\\r\\nGET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|NONE|0",
        "GET / HTTP/1.0\\r\\n\\r\\n|NONE|0",
        "POST /x HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 12\\r\\n\\r\\n|LENGTH|12",
        "POST /x HTTP/1.1\\r\\nHost: a\\r\\ncontent-length:0\\r\\n\\r\\n|NONE|0",
        "POST /x HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding:  Chunked \\r\\n\\r\\n|CHUNKED|0",
        "OPTIONS * HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|NONE|0",
        "GET http://a/x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|NONE|0",
        "GET /x;a,b?q=%zz HTTP/1.1\\r\\nHost: [::1]:8080\\r\\nX-T: a\\tb\\r\\n\\r\\n|NONE|0",
        "GET /\u00e9 HTTP/1.1\\r\\nHost: a\\r\\nX-U: \u00e9\\r\\n\\r\\n|NONE|0",
    })
    void accepts(String head, RequestHead.Framing framing, long length) {
        RequestHead.Result r = parse(head);
        assertThat(r.accepted()).as(r.reason()).isTrue();
        assertThat(r.framing()).isEqualTo(framing);
        assertThat(r.length()).isEqualTo(length);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\rb\\r\\n\\r\\n|400|CR not followed by LF",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\0b\\r\\n\\r\\n|400|control byte 0x00",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nX : a\\r\\n\\r\\n|400|whitespace between",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\r\\n b\\r\\n\\r\\n|400|folding",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nX\\r\\n\\r\\n|400|without a colon",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\n: a\\r\\n\\r\\n|400|empty name",
        "GET / HTTP/1.1\\r\\n\\r\\n|400|without a Host",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n|400|more than one Host",
        "GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n|400|invalid Host",
        "GET / HTTP/1.1\\r\\nHost: \\r\\n\\r\\n|400|invalid Host",
        "GET / HTTP/1.1\\r\\nHost: localhost%1F\\r\\n\\r\\n|400|invalid Host",
        "GET http://b/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|host differs",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400|both",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nContent-Length: 1\\r\\n\\r\\n|400|more than one Content-Length",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 0x1\\r\\n\\r\\n|400|not one number",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1234567890123456789\\r\\n\\r\\n|400|not one number",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n|501|'gzip'",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n|400|one 'chunked'",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked,\\r\\n\\r\\n|400|one 'chunked'",
        "POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400|HTTP/1.0",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nContent-Length: 5\\r\\n\\r\\n|400|upgrade with a request body",
        "GET / HTTP/4.0\\r\\nHost: a\\r\\n\\r\\n|505|HTTP/4.0",
        "GET / HTTP/1.1 \\r\\nHost: a\\r\\n\\r\\n|400|malformed HTTP version",
        "GET /\\r\\nHost: a\\r\\n\\r\\n|400|without an HTTP version",
        "GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|empty request target",
        "GET /a\\tb HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|control byte 0x09",
        "G(T / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|method with byte",
        "GET x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|neither a path",
        "CONNECT a:443 HTTP/1.1\\r\\nHost: a:443\\r\\n\\r\\n|405|CONNECT",
    })
    void refuses(String head, int status, String reason) {
        RequestHead.Result r = parse(head);
        assertThat(r.status()).as(head).isEqualTo(status);
        assertThat(r.reason()).contains(reason);
    }

    @Test
    void limitsAreCheckedBeforeTheHeadIsWhole() {
        byte[] longLine = ("GET /" + "a".repeat(9000)).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RequestHead.early(longLine, 0, longLine.length, LIMITS).status()).isEqualTo(414);
        byte[] longField = ("GET / HTTP/1.1\r\nX: " + "b".repeat(9000)).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RequestHead.early(longField, 0, longField.length, LIMITS).status()).isEqualTo(431);
        byte[] many = ("GET / HTTP/1.1\r\n" + "X: 1\r\n".repeat(101)).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RequestHead.early(many, 0, many.length, LIMITS).status()).isEqualTo(431);
        byte[] fine = "GET / HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RequestHead.early(fine, 0, fine.length, LIMITS)).isNull();
        assertThat(RequestHead.end(fine, 0, fine.length)).isEqualTo(-1);
    }

    static int frame(String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        ChunkedFramer f = new ChunkedFramer();
        // One byte at a time: the framing may not depend on how reads split the body.
        int n = 0;
        for (int i = 0; i < b.length && !f.done(); i++) {
            n += f.advance(b, i, i + 1);
        }
        return f.done() ? n : -1;
    }

    @Test
    void chunkedBodiesEndWhereTheGrammarSays() throws IOException {
        assertThat(frame("3\r\nabc\r\n0\r\n\r\nGET /next")).isEqualTo(13);
        assertThat(frame("A;x=\"y\"\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n")).isEqualTo(34);
        assertThat(frame("0\r\n\r\n")).isEqualTo(5);
        assertThat(frame("3\r\nabc\r\n")).isEqualTo(-1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "0x3\\r\\nabc\\r\\n0\\r\\n\\r\\n|after a chunk size",
        "3 \\r\\nabc\\r\\n0\\r\\n\\r\\n|after a chunk size",
        "-3\\r\\nabc\\r\\n0\\r\\n\\r\\n|does not start with a hex digit",
        "1000000000000000\\r\\n|more than 15 hex digits",
        "3\\r\\nabcd\\r\\n0\\r\\n\\r\\n|longer than its size",
        "3\\nabc\\n0\\n\\n|0x0A after a chunk size",
        "3;\\1\\r\\nabc\\r\\n|control byte",
        "0\\r\\nX: \\0\\r\\n\\r\\n|control byte",
    })
    void brokenChunkedFramingIsAnError(String escaped, String reason) {
        String body = escaped.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\u0000").replace("\\1", "\u0001");
        assertThatThrownBy(() -> frame(body)).isInstanceOf(IOException.class).hasMessageContaining(reason);
    }
    /** The Host grammar, as a regular expression: the hand-written check must agree with it on every input. */
    private static final java.util.regex.Pattern HOST =
            java.util.regex.Pattern.compile("(\\[[0-9A-Fa-f:.]+(%25[A-Za-z0-9._~-]+)?\\]|[A-Za-z0-9._~!$&'()*+,;=-]+)(:[0-9]{1,5})?");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "a|true", "example.com|true", "example.com:8080|true", "example.com:65535|true", "a:1|true", "a:123456|false",
        "a:|false", ":80|false", "a:8x|false", "a:80:80|false", "a b|false", "''|false", "-._~!$&()*+,;=|true",
        "[::1]|true", "[::1]:443|true", "[fe80::1%25eth0]|true", "[fe80::1%25eth0]:1|true", "[fe80::1%25]|false",
        "[fe80::1%eth0]|false", "[fe80::1%2]|false", "[]|false", "[::1|false", "[::1]x|false", "[::g]|false", "::1|false",
        "a]|false", "[a-b]|false", "é.example|false", "localhost%1F|false", "a%25b|false", "a/b|false", "a@b|false",
    })
    void hostsFollowTheGrammar(String host, boolean valid) {
        assertThat(RequestHead.validHost(host)).isEqualTo(valid);
        assertThat(HOST.matcher(host).matches()).as("the grammar itself").isEqualTo(valid);
    }

    @Test
    void hostCheckAgreesWithTheGrammarOnRandomInput() {
        java.util.Random random = new java.util.Random(24);
        String alphabet = "aZ09.-_~:[]%25%25!;='( @/\u00e9\u0000";
        for (int n = 0; n < 200_000; n++) {
            int len = random.nextInt(12);
            StringBuilder b = new StringBuilder(len);
            for (int i = 0; i < len; i++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String h = random.nextInt(4) == 0 ? "[" + b : b.toString();
            assertThat(RequestHead.validHost(h)).as(h).isEqualTo(HOST.matcher(h).matches());
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.1|true", "HTTP/1.0|true", "HTTP/2.0|true", "HTTP/9.9|true", "HTTP/1.10|false", "HTTP/1|false", "http/1.1|false",
        "HTTP/a.1|false", "HTTP/1,1|false", "'HTTP/1.1 '|false", "''|false", "HTTPS/1.1|false",
    })
    void versionsFollowTheGrammar(String version, boolean valid) {
        assertThat(RequestHead.httpVersion(version)).isEqualTo(valid);
        assertThat(version.matches("HTTP/[0-9]\\.[0-9]")).as("the grammar itself").isEqualTo(valid);
    }

    @Test
    void onlyAbsoluteTargetsNameAHost() {
        assertThat(RequestHead.absoluteHost("/http://a/")).isNull();
        assertThat(RequestHead.absoluteHost("HTTP://A:1/x")).isEqualTo("A:1");
        assertThat(RequestHead.absoluteHost("http://u@a/")).isEmpty();
        assertThat(RequestHead.absoluteHost("*")).isNull();
        assertThat(RequestHead.absoluteHost("")).isNull();
    }
}
