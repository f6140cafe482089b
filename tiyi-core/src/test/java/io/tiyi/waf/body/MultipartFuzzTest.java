package io.tiyi.waf.body;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tiyi.testsupport.Fuzzing;
import io.tiyi.waf.variables.TxVariables;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link Multipart}, the {@code multipart/form-data} processor, with an attacker's
 * Content-Type and body.
 *
 * <p>Contract: {@link Multipart#parse} accepts any Content-Type and body and never throws. A body
 * it cannot read at all yields an error message (REQBODY_ERROR); every other deviation sets
 * {@code MULTIPART_*} flags, and {@code MULTIPART_STRICT_ERROR} is always set to {@code 0} or
 * {@code 1} afterwards, since CRS blocks on it. Any exception, or an input taking longer than the
 * timeout, is a bug.
 *
 * <p>Input: the Content-Type header value up to the first {@code \n}, then the body, as ISO-8859-1
 * bytes (no {@code \n}: the whole input is the Content-Type and the body is empty).
 */
class MultipartFuzzTest {
    @FuzzTest(maxDuration = "30s")
    @Timeout(value = Fuzzing.TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
    @DictionaryEntries({"multipart/form-data; boundary=", "boundary=\"", "--",
            "Content-Disposition: form-data; name=\"", "; filename=\"", "filename*=", "Content-Type: ", "\\\""})
    void parse(byte[] input) {
        String s = new String(input, StandardCharsets.ISO_8859_1);
        int nl = s.indexOf('\n');
        String contentType = nl < 0 ? s : s.substring(0, nl);
        String body = nl < 0 ? "" : s.substring(nl + 1);
        TxVariables v = new TxVariables();
        String error = Multipart.parse(contentType, body, v, new ArgumentLimit(1000), 1 << 20);
        assertThat(v.get("MULTIPART_STRICT_ERROR")).isIn("0", "1");
        if (error != null) {
            assertThat(error).matches("(?s)(multipart: |more than ).*");
        }
    }
}
