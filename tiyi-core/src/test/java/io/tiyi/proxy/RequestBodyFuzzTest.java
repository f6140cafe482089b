package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tiyi.testsupport.Fuzzing;
import io.tiyi.waf.Interruption;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the whole request path of a site with Tiyi's built-in rules in blocking mode: a POST with
 * a fuzzed Content-Type and body through every phase of a {@link Transaction}, so each body
 * processor (urlencoded, multipart, JSON, XML, none) feeds the rules that inspect its output.
 *
 * <p>Contract: no {@code Transaction} method throws, whatever the body: a body its processor
 * cannot read sets REQBODY_ERROR, which the rules act on; an interruption, if any, has an HTTP
 * status. Any exception, or a request taking longer than the timeout, is a bug (it would be a 500,
 * or a worker thread held, for every request carrying that body).
 *
 * <p>Input: the Content-Type header value up to the first {@code \n}, then the body, as
 * ISO-8859-1 bytes.
 */
class RequestBodyFuzzTest {
    private static final TiyiWaf WAF = WafEngines.build(new RuntimeConfig.WafRules("builtin", null),
            new RuntimeConfig.WafPolicy("block", 4, 5, 4, List.of(), null), RuntimeConfig.Limits.defaults());

    @FuzzTest(maxDuration = "30s")
    @Timeout(value = Fuzzing.TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
    @DictionaryEntries({"application/x-www-form-urlencoded", "multipart/form-data; boundary=", "application/json", "text/xml",
            "application/xml", "application/vnd.a+json", "application/soap+xml", "text/plain", "; charset=utf-8", "--",
            "Content-Disposition: form-data; name=\"", "; filename=\"", "<a>", "</a>", "{\"a\":", "[", "=", "&", "%27", "<script>",
            "' or 1=1--", "union select"})
    void post(byte[] input) {
        String s = new String(input, StandardCharsets.ISO_8859_1);
        int nl = s.indexOf('\n');
        String contentType = nl < 0 ? s : s.substring(0, nl);
        byte[] body = nl < 0 ? new byte[0] : s.substring(nl + 1).getBytes(StandardCharsets.ISO_8859_1);
        Transaction tx = WAF.newTransaction("fuzz");
        tx.processConnection("203.0.113.7", 40000, "127.0.0.1", 80);
        tx.processUri("/upload?id=1", "POST", "HTTP/1.1");
        tx.addRequestHeader("Host", "shop.example");
        tx.addRequestHeader("User-Agent", "fuzz/1.0");
        tx.addRequestHeader("Content-Type", contentType);
        tx.addRequestHeader("Content-Length", Integer.toString(body.length));
        Optional<Interruption> i = tx.processRequestHeaders();
        if (i.isEmpty() && tx.wantsRequestBody()) {
            i = tx.appendRequestBody(body);
            if (i.isEmpty()) {
                i = tx.processRequestBody();
            }
        }
        if (i.isEmpty()) {
            tx.addResponseHeader("Content-Type", "text/html");
            i = tx.processResponseHeaders(200, "HTTP/1.1");
        }
        tx.processLogging();
        i.ifPresent(x -> assertThat(x.status()).isBetween(100, 599));
    }
}
