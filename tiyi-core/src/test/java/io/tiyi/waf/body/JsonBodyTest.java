package io.tiyi.waf.body;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.tiyi.waf.variables.KeyValues;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBodyTest {
    private static String parse(String body) {
        return JsonBody.parse(body, new KeyValues(), 512, new ArgumentLimit(1000));
    }

    /** A Java string as the byte string of its UTF-8 encoding, the way bodies reach the parser. */
    private static String bytes(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "0", "-0", "-1.5e+10", "1E-2", "true", "null", "\"\"", " \t\r\n{\"a\" : [ ] }\n",
            "{\"a\":1,\"a\":2}", "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}", "[[[[1]]]]", "\ufeff{}", "{\"é\":\"ü😀\"}"})
    void rfc8259DocumentsParse(String json) {
        assertThat(parse(bytes(json))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{\"a\":NaN}", "[Infinity]", "[-Infinity]", "{\"a\":1 /* c */}", "{\"a\":1} // c", "# c\n{}",
            "{'a':1}", "{a:1}", "[1,]", "{\"a\":1,}", "[,1]", "[1,,2]", "[01]", "[+1]", "[.5]", "[5.]", "[0x10]", "{\"a\":\"\t\"}",
            "{\"a\":\"\\x41\"}", "{\"a\":\"\\'\"}", "{} {}", "{}[]", "1 2", "{}x", "{\"a\":1}}", "[1]]", "{\"a\"}", "[\"a\" \"b\"]",
            "\u001e{}", "TRUE", "nul"})
    void everythingElseIsABodyError(String json) {
        assertThat(parse(bytes(json))).isNotNull().startsWith("JSON parsing error");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":\"\u00c0\u00af\"}", "{\"a\":\"\u00ed\u00a0\u0080\"}", "{\"a\":\"\u00f4\u0090\u0080\u0080\"}",
            "{\"a\":\"\u00ff\"}", "{\"a\":\"\u00e9\"}", "\u00fe\u00ff\u0000{\u0000}", "{\u0000}"})
    void invalidUtf8AndUtf16AreBodyErrors(String latin1Bytes) {
        assertThat(parse(latin1Bytes)).isNotNull().startsWith("JSON parsing error");
    }

    @EnumSource(JsonReadFeature.class)
    @ParameterizedTest
    void noLenientReadFeatureIsOn(JsonReadFeature f) {
        assertThat(JsonBody.FACTORY.isEnabled(f.mappedFeature()))
                .as("%s", f).isFalse();
    }

    @Test
    void depthIsLimitedAndNamed() {
        KeyValues into = new KeyValues();
        assertThat(JsonBody.parse("[[[1]]]", into, 3, new ArgumentLimit(10))).isNull();
        assertThat(into.all()).extracting(KeyValues.Entry::key).containsExactly("json.0.0.0");
        assertThat(JsonBody.parse("[[[[1]]]]", new KeyValues(), 3, new ArgumentLimit(10)))
                .isEqualTo("JSON nested deeper than 3 levels (SecRequestBodyJsonDepthLimit 3) at line 1, column 4");
        assertThat(JsonBody.parse("[".repeat(100_000), new KeyValues(), 512, new ArgumentLimit(10))).contains("deeper than 512");
    }

    @Test
    void argumentsStopAtTheLimitAndDuplicatesAreAllKept() {
        KeyValues into = new KeyValues();
        ArgumentLimit limit = new ArgumentLimit(3);
        String error = JsonBody.parse("{\"a\":1,\"a\":2,\"b\":{\"c\":[true,null]}}", into, 512, limit);
        assertThat(error).contains("more than 3 arguments");
        assertThat(into.all()).extracting(e -> e.key() + "=" + e.value()).containsExactly("json.a=1", "json.a=2", "json.b.c.0=true");
        assertThat(limit.reached()).isTrue();
    }

    @Test
    void namesAndValuesAreUtf8ByteStrings() {
        KeyValues into = new KeyValues();
        assertThat(JsonBody.parse(bytes("{\"é\":\"\\u00fc\"}"), into, 512, new ArgumentLimit(10))).isNull();
        assertThat(into.first(bytes("json.é"))).isEqualTo(bytes("ü"));
    }

    @Test
    void escapesInAnAsciiBodyBecomeUtf8ByteStrings() {
        KeyValues into = new KeyValues();
        assertThat(JsonBody.parse("{\"a\\u00e9\":\"\\u00fc\",\"b\":\"plain\"}", into, 512, new ArgumentLimit(10))).isNull();
        assertThat(into.first(bytes("json.aé"))).isEqualTo(bytes("ü"));
        assertThat(into.first("json.b")).isEqualTo("plain");
    }

    @Test
    void aSequenceOfValuesIsReadAsOneArray() {
        KeyValues into = new KeyValues();
        assertThat(JsonBody.parse("{\"e\":\"click\",\"n\":1}\n{\"e\":\"scroll\"}\n\"x\"\n[true]\n", into, 512, new ArgumentLimit(100), true)).isNull();
        assertThat(into.first("json.0.e")).isEqualTo("click");
        assertThat(into.first("json.0.n")).isEqualTo("1");
        assertThat(into.first("json.1.e")).isEqualTo("scroll");
        assertThat(into.first("json.2")).isEqualTo("x");
        assertThat(into.first("json.3.0")).isEqualTo("true");
        // A bad line is a body error as in a single document; so is a body with no value at all.
        assertThat(JsonBody.parse("{\"a\":1}\n{oops}\n", new KeyValues(), 512, new ArgumentLimit(100), true)).startsWith("JSON parsing error");
        assertThat(JsonBody.parse(" \n ", new KeyValues(), 512, new ArgumentLimit(100), true)).isEqualTo("JSON parsing error: no JSON value");
        assertThat(JsonBody.parse("{\"a\":1}\n{\"b\":2}", new KeyValues(), 512, new ArgumentLimit(100), false))
                .contains("a second top-level value");
    }
}
