package io.tiyi.waf.body;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tiyi.testsupport.Fuzzing;
import io.tiyi.waf.variables.KeyValues;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link JsonBody}, the {@code application/json} processor.
 *
 * <p>Contract: {@link JsonBody#parse} accepts any byte string and never throws: a body that is not
 * JSON (malformed, too deep, too long a number...) yields an error message starting with
 * {@code JSON parsing error}, which becomes REQBODY_ERROR. Every argument it adds is named
 * {@code json} or {@code json.<path>}. Any other exception (a stack overflow on deep nesting, an
 * NPE), or an input taking longer than the timeout, is a bug.
 *
 * <p>Input: the raw body.
 */
class JsonBodyFuzzTest {
    @FuzzTest(maxDuration = "30s")
    @Timeout(value = Fuzzing.TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
    @DictionaryEntries({"{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "1e999", "-0.5", "\\u0000", "\\ud800", "\"a\":"})
    void parse(byte[] input) {
        KeyValues into = new KeyValues();
        String error = JsonBody.parse(new String(input, StandardCharsets.ISO_8859_1), into, 512, new ArgumentLimit(1000));
        if (error != null) {
            assertThat(error).matches("(?s)(JSON |more than ).*");
        }
        for (KeyValues.Entry e : into.all()) {
            assertThat(e.key()).matches("(?s)json(\\..*)?");
        }
    }
}
