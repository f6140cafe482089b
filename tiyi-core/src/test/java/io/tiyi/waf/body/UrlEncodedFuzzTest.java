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
 * Fuzzes {@link UrlEncoded}, which parses every query string and urlencoded body an attacker sends.
 *
 * <p>Contract: {@link UrlEncoded#parse} accepts any byte string and never throws; bad escapes are
 * reported through its return value, not an exception. It adds at most one argument per non-empty
 * separator-delimited pair, and no decoded pair is longer than the body (decoding only shortens). Any exception, or an input taking longer than the timeout, is a bug.
 *
 * <p>Input: the raw body, as ISO-8859-1 bytes; parsed once with {@code &} and once with {@code ;}
 * (SecArgumentSeparator).
 */
class UrlEncodedFuzzTest {
    @FuzzTest(maxDuration = "30s")
    @Timeout(value = Fuzzing.TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
    @DictionaryEntries({"=", "&", ";", "%", "%2", "%25", "%u", "%uff", "+", "%00", "%zz"})
    void parse(byte[] input) {
        String body = new String(input, StandardCharsets.ISO_8859_1);
        for (char separator : new char[] {'&', ';'}) {
            KeyValues into = new KeyValues();
            UrlEncoded.parse(body, separator, into, new ArgumentLimit(100_000));
            long pairs = java.util.Arrays.stream(body.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1))
                    .filter(p -> !p.isEmpty()).count();
            assertThat(into.size()).as("at most one argument per non-empty pair").isLessThanOrEqualTo((int) pairs);
            for (KeyValues.Entry e : into.all()) {
                assertThat(e.key().length() + e.value().length()).isLessThanOrEqualTo(body.length());
            }
        }
    }
}
