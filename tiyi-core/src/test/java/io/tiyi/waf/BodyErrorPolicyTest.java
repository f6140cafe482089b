package io.tiyi.waf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Bodies the processors cannot read as their Content-Type says: refused, recorded or left to the rules, per policy. */
class BodyErrorPolicyTest {
    private static final String RULES = """
            SecRule ARGS "@contains attack" "id:100,phase:2,deny,status:403,log,msg:'attack'"
            """;
    private static final String MP_OK = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n--b--\r\n";

    private record Request(String uri, String contentType, String body) {}

    private static Transaction send(TiyiWaf waf, Request r) {
        Transaction tx = waf.newTransaction();
        tx.processConnection("198.51.100.9", 40000, "127.0.0.1", 80);
        tx.processUri(r.uri(), r.body() == null ? "GET" : "POST", "HTTP/1.1");
        tx.addRequestHeader("Host", "example.test");
        if (r.contentType() != null) {
            tx.addRequestHeader("Content-Type", r.contentType());
        }
        tx.processRequestHeaders();
        if (r.body() != null) {
            tx.appendRequestBody(r.body().getBytes(StandardCharsets.ISO_8859_1));
        }
        tx.processRequestBody();
        tx.processLogging();
        return tx;
    }

    private static TiyiWaf waf(WafPolicy policy, List<WafEvent> events) {
        return TiyiWaf.builder().seclang(RULES).policy(policy).listener(events::add).build();
    }

    static Stream<Arguments> evasions() {
        return Stream.of(
                Arguments.of("JSON deeper than 512", new Request("/", "application/json", "[".repeat(600) + "\"attack\"" + "]".repeat(600)),
                        1_990_002L, "SecRequestBodyJsonDepthLimit 512"),
                Arguments.of("JSON NaN", new Request("/", "application/json", "{\"n\":NaN,\"q\":\"attack\"}"), 1_990_002L,
                        "JSON parsing error"),
                Arguments.of("JSON comment", new Request("/", "application/json", "{\"q\":/* x */\"attack\"}"), 1_990_002L,
                        "JSON parsing error"),
                Arguments.of("JSON second value", new Request("/", "application/json", "{} {\"q\":\"attack\"}"), 1_990_002L,
                        "second top-level value"),
                Arguments.of("JSON as UTF-16", new Request("/", "application/json; charset=utf-16", "{}"), 1_990_002L, "utf-16"),
                Arguments.of("two boundaries", new Request("/", "multipart/form-data; boundary=a; boundary=b", MP_OK), 1_990_002L,
                        "2 boundary parameters"),
                Arguments.of("no boundary", new Request("/", "multipart/form-data", MP_OK), 1_990_002L, "no boundary"),
                Arguments.of("empty boundary", new Request("/", "multipart/form-data; boundary=\"\"", MP_OK), 1_990_002L,
                        "empty boundary"),
                Arguments.of("boundary with a bad character", new Request("/", "multipart/form-data; boundary=b{", MP_OK), 1_990_002L,
                        "invalid character"),
                Arguments.of("final boundary missing",
                        new Request("/", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx"),
                        1_990_002L, "final boundary missing"),
                Arguments.of("multipart header folding (strict flag only)", new Request("/", "multipart/form-data; boundary=b",
                        "--b\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nx\r\n--b--\r\n"), 1_990_003L,
                        "strict validation"),
                Arguments.of("too many query arguments", new Request("/?" + "a=1&".repeat(1001), null, null), 1_990_002L,
                        "SecArgumentsLimit 1000"),
                Arguments.of("too many form arguments",
                        new Request("/?x=1", "application/x-www-form-urlencoded", "a=1&".repeat(1000) + "q=attack"), 1_990_002L,
                        "SecArgumentsLimit 1000"),
                Arguments.of("unknown charset", new Request("/", "application/x-www-form-urlencoded; charset=utf-7", "q=1"), 1_990_002L,
                        "unknown charset"),
                Arguments.of("two Content-Types", null, 1_990_002L, "more than one Content-Type"));
    }

    private static Transaction sendCase(TiyiWaf waf, Request r) {
        if (r != null) {
            return send(waf, r);
        }
        Transaction tx = waf.newTransaction();
        tx.processUri("/", "POST", "HTTP/1.1");
        tx.addRequestHeader("Content-Type", "application/json");
        tx.addRequestHeader("Content-Type", "application/x-www-form-urlencoded");
        tx.processRequestHeaders();
        tx.appendRequestBody("q=1".getBytes(StandardCharsets.ISO_8859_1));
        tx.processRequestBody();
        tx.processLogging();
        return tx;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("evasions")
    void blockModeRefusesWith400AndTheReason(String name, Request r, long rule, String reason) {
        List<WafEvent> events = new ArrayList<>();
        Transaction tx = sendCase(waf(WafPolicy.of(WafMode.BLOCK), events), r);
        assertThat(tx.interruption()).hasValueSatisfying(i -> {
            assertThat(i.status()).isEqualTo(400);
            assertThat(i.ruleId()).isEqualTo(rule);
            assertThat(i.message()).containsIgnoringCase(reason);
        });
        assertThat(events).singleElement().satisfies(e -> assertThat(e.interruption()).isPresent());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("evasions")
    void detectModeRecordsTheReasonWithoutBlocking(String name, Request r, long rule, String reason) {
        List<WafEvent> events = new ArrayList<>();
        Transaction tx = sendCase(waf(WafPolicy.of(WafMode.DETECT), events), r);
        assertThat(tx.interruption()).isEmpty();
        assertThat(events).singleElement().satisfies(e -> assertThat(e.matchedRules()).anySatisfy(m -> {
            assertThat(m.id()).isEqualTo(rule);
            assertThat(m.disruptive()).isEqualTo("deny");
            assertThat(m.message() + " " + m.data()).containsIgnoringCase(reason);
        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("evasions")
    void withoutBlockBodyErrorsOnlyTheVariablesAreSet(String name, Request r, long rule, String reason) {
        WafPolicy policy = WafPolicy.of(WafMode.BLOCK).withLimits(WafLimits.defaults().withBlockBodyErrors(false));
        Transaction tx = sendCase(waf(policy, new ArrayList<>()), r);
        assertThat(tx.matchedRules()).noneMatch(m -> m.id() == 1_990_002L || m.id() == 1_990_003L);
        assertThat(tx.interruption().map(Interruption::ruleId)).isIn(java.util.Optional.empty(), java.util.Optional.of(100L));
        assertThat(tx.variable("REQBODY_ERROR", null) + tx.variable("MULTIPART_STRICT_ERROR", null)).contains("1");
    }

    @Test
    void validBodiesPassInBlockMode() {
        TiyiWaf waf = waf(WafPolicy.of(WafMode.BLOCK), new ArrayList<>());
        List<Request> ok = List.of(
                new Request("/?a=1&b=2", null, null),
                new Request("/", "application/json; charset=UTF-8", "{\"a\":[1,2.5e3,-0,true,null],\"a\":\"dup\",\"s\":\"\\u00e9\"}"),
                new Request("/", "application/json", "\"just a string\""),
                new Request("/", "application/x-www-form-urlencoded; charset=iso-8859-1", "a=1&b=%41"),
                new Request("/", "multipart/form-data; boundary=b", MP_OK),
                new Request("/", "multipart/form-data; boundary=\"b\"", MP_OK),
                new Request("/", "multipart/form-data; charset=utf-8; boundary=\"b\"; x=y", MP_OK),
                new Request("/", "text/plain", "{not json, not parsed"));
        for (Request r : ok) {
            Transaction tx = send(waf, r);
            assertThat(tx.interruption()).as("%s", r).isEmpty();
            assertThat(tx.variable("REQBODY_ERROR", null)).as("%s", r).isEqualTo("0");
        }
        assertThat(send(waf, new Request("/", "application/json", "{\"q\":\"attack\"}")).interruption())
                .hasValueSatisfying(i -> assertThat(i.ruleId()).isEqualTo(100L));
    }

    @Test
    void thePolicyLimitsAreTheEngineLimits() {
        WafPolicy policy = WafPolicy.of(WafMode.BLOCK)
                .withLimits(WafLimits.defaults().withMaxArguments(3).withMaxJsonDepth(2));
        TiyiWaf waf = waf(policy, new ArrayList<>());
        assertThat(send(waf, new Request("/?a=1&b=2&c=3", null, null)).interruption()).isEmpty();
        assertThat(send(waf, new Request("/?a=1&b=2&c=3&d=4", null, null)).interruption()).map(Interruption::message)
                .hasValueSatisfying(m -> assertThat(m).contains("query string: more than 3 arguments"));
        assertThat(send(waf, new Request("/?a=1&b=2", "application/x-www-form-urlencoded", "c=3&d=4")).interruption())
                .map(Interruption::status).contains(400);
        assertThat(send(waf, new Request("/", "application/json", "{\"a\":{\"b\":1}}")).interruption()).isEmpty();
        assertThat(send(waf, new Request("/", "application/json", "{\"a\":{\"b\":[1]}}")).interruption()).map(Interruption::message)
                .hasValueSatisfying(m -> assertThat(m).contains("deeper than 2 levels"));
    }

    @Test
    void argumentBytesCountEverythingButFileContents() {
        TiyiWaf waf = waf(WafPolicy.of(WafMode.BLOCK).withLimits(WafLimits.defaults().withMaxArgumentBytes(100)), new ArrayList<>());
        assertThat(send(waf, new Request("/", "application/x-www-form-urlencoded", "a=" + "1".repeat(98))).interruption()).isEmpty();
        assertThat(send(waf, new Request("/", "application/x-www-form-urlencoded", "a=" + "1".repeat(99))).interruption()).map(Interruption::message)
                .hasValueSatisfying(m -> assertThat(m).contains("SecRequestBodyNoFilesLimit 100"));
        String files = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n\r\n" + "x".repeat(1000) + "\r\n--b--\r\n";
        assertThat(send(waf, new Request("/", "multipart/form-data; boundary=b", files)).interruption()).as("file contents do not count")
                .isEmpty();
        String fields = "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n" + "x".repeat(100) + "\r\n--b--\r\n";
        assertThat(send(waf, new Request("/", "multipart/form-data; boundary=b", fields)).interruption()).map(Interruption::message)
                .hasValueSatisfying(m -> assertThat(m).contains("SecRequestBodyNoFilesLimit 100"));
    }

    @Test
    void anExclusionTurnsTheRuleOffLikeAnyOther() {
        WafPolicy policy = WafPolicy.of(WafMode.BLOCK).withExclusion(RuleExclusion.rule(1_990_002L).onPath("/upload"));
        TiyiWaf waf = waf(policy, new ArrayList<>());
        assertThat(send(waf, new Request("/upload", "application/json", "{'a':1}")).interruption()).isEmpty();
        assertThat(send(waf, new Request("/other", "application/json", "{'a':1}")).interruption()).isPresent();
    }
}
