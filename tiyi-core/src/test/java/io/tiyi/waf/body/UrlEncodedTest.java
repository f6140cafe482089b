package io.tiyi.waf.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.waf.variables.KeyValues;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlEncodedTest {
    @Test
    void parsingStopsAtTheArgumentLimit() {
        String body = "a=1&".repeat(100_000);
        KeyValues into = new KeyValues();
        ArgumentLimit limit = new ArgumentLimit(1000);
        UrlEncoded.parse(body, '&', into, limit);
        assertThat(into.size()).isEqualTo(1000);
        assertThat(limit.reached()).isTrue();
        assertThat(limit.message()).startsWith("more than 1000 arguments (SecArgumentsLimit 1000)");
    }

    @Test
    void theLimitSpansTheQueryAndTheBody() {
        ArgumentLimit limit = new ArgumentLimit(3);
        KeyValues get = new KeyValues();
        KeyValues post = new KeyValues();
        UrlEncoded.parse("a=1&b=2", '&', get, limit);
        assertThat(limit.reached()).isFalse();
        UrlEncoded.parse("c=3", '&', post, limit);
        assertThat(limit.reached()).isFalse();
        UrlEncoded.parse("d=4", '&', post, limit);
        assertThat(limit.reached()).isTrue();
        assertThat(get.size() + post.size()).isEqualTo(3);
    }

    @Test
    void exactlyTheLimitIsNotAnError() {
        ArgumentLimit limit = new ArgumentLimit(2);
        KeyValues into = new KeyValues();
        assertThat(UrlEncoded.parse("a=%zz&b=2", '&', into, limit)).as("invalid escape").isTrue();
        assertThat(limit.reached()).isFalse();
        assertThat(into.first("a")).isEqualTo("%zz");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a=1&b=2|a=1,b=2",
        "a&b=|a=,b=",
        "=v&k=|=v,k=",
        "a==b|a==b",
        "&&a=x+y&&|a=x y",
        "a=1&b=%41%zz|a=1,b=A%zz",
        "q=a%3Db&c|q=a=b,c=",
    })
    void namesAndValuesComeFromEachPair(String input, String expected) {
        KeyValues into = new KeyValues();
        UrlEncoded.parse(input, '&', into, new ArgumentLimit(100));
        List<String> got = new ArrayList<>();
        for (KeyValues.Entry e : into.all()) {
            got.add(e.key() + "=" + e.value());
        }
        assertThat(String.join(",", got)).isEqualTo(expected);
    }
}
