package io.tiyi.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.RecordingUpstream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bodies built so that the WAF cannot read them the way a lenient backend would, each carrying an
 * SQL injection. In block mode none reaches the upstream; in detect mode each passes with a
 * security event that says why the body was not inspected.
 */
class BodyEvasionTest {
    @RegisterExtension
    static final NodeExtension NODE = NodeExtension.primary();

    static final String SQLI = "1' or '1'='1";
    static TiyiNode node;
    static TiyiClient api;
    static RecordingUpstream up;

    @BeforeAll
    static void start() throws Exception {
        node = NODE.node();
        api = Hostile.admin(NODE);
        up = new RecordingUpstream();
        Hostile.site(node, api, "shop", "shop.test", up.url());
        mode("block");
    }

    @AfterAll
    static void stop() throws IOException {
        up.close();
    }

    @BeforeEach
    void clear() {
        up.clear();
    }

    static void mode(String mode) {
        Hostile.change(node, api, "WafService", "SetPolicy", Map.of("site", "shop", "mode", mode));
    }

    static String post(String contentType, String body) throws IOException {
        return Hostile.send(node.httpAddress(), "POST /api HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
    }

    static Stream<Arguments> evasions() {
        String deep = "{\"a\":".repeat(600) + "\"" + SQLI + "\"" + "}".repeat(600);
        String part = "--B\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n" + SQLI + "\r\n--B--\r\n";
        return Stream.of(
                Arguments.of("JSON nested past the depth limit", "application/json", deep),
                Arguments.of("JSON with NaN", "application/json", "{\"n\": NaN, \"q\": \"" + SQLI + "\"}"),
                Arguments.of("JSON with a comment", "application/json", "{/* c */ \"q\": \"" + SQLI + "\"}"),
                Arguments.of("JSON with a trailing comma", "application/json", "{\"q\": \"" + SQLI + "\",}"),
                Arguments.of("JSON with single quotes", "application/json", "{'q': '1'' or ''1''=''1'}"),
                Arguments.of("two JSON documents", "application/json", "{\"a\":1} {\"q\": \"" + SQLI + "\"}"),
                Arguments.of("multipart with two boundaries", "multipart/form-data; boundary=A; boundary=B", part),
                Arguments.of("multipart without a boundary", "multipart/form-data", part),
                Arguments.of("multipart with an empty boundary", "multipart/form-data; boundary=", part),
                Arguments.of("more arguments than the limit", "application/x-www-form-urlencoded",
                        "a=1&".repeat(1000) + "q=" + SQLI.replace(" ", "+").replace("'", "%27")),
                Arguments.of("urlencoded in an unreadable charset", "application/x-www-form-urlencoded; charset=ibm037", "q=" + SQLI));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("evasions")
    void blockModeRefusesBodiesItCannotRead(String name, String contentType, String body) throws Exception {
        String resp = post(contentType, body);
        assertThat(resp).as(name).startsWith("HTTP/1.1 400 ");
        String id = Hostile.header(resp, "X-Request-Id");
        assertThat(resp).contains("request id: " + id);
        Thread.sleep(100);
        assertThat(up.requests()).as(name).isEmpty();
        assertThat(up.rawText()).doesNotContain("or '1'");
        node.events().flush();
        List<JsonNode> sec = node.events().query("security", 0, n -> n.get("request_id").asText().equals(id), 5);
        assertThat(sec).as("security event of " + name).hasSize(1);
        assertThat(sec.get(0).get("action").asText()).isEqualTo("blocked");
        assertThat(sec.get(0).get("rule_ids").toString()).containsAnyOf("1990002", "1990003");
    }

    @Test
    void detectModeLetsThemThroughWithTheReason() throws Exception {
        mode("detect");
        try {
            String resp = post("application/json", "{\"n\": NaN, \"q\": \"" + SQLI + "\"}");
            assertThat(resp).startsWith("HTTP/1.1 200 ");
            String id = Hostile.header(resp, "X-Request-Id");
            node.events().flush();
            List<JsonNode> sec = node.events().query("security", 0, n -> n.get("request_id").asText().equals(id), 5);
            assertThat(sec).hasSize(1);
            assertThat(sec.get(0).get("action").asText()).isEqualTo("detected");
            assertThat(sec.get(0).get("rule_ids").toString()).contains("1990002");
            assertThat(sec.get(0).get("messages").toString()).containsIgnoringCase("parse request body");
        } finally {
            mode("block");
        }
    }

    @Test
    void wellFormedBodiesPass() throws Exception {
        assertThat(post("application/json", "{\"name\": \"Ann\", \"tags\": [1, 2.5e3, true, null]}")).startsWith("HTTP/1.1 200 ");
        assertThat(post("multipart/form-data; boundary=\"B\"",
                "--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAnn\r\n--B--\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(post("application/x-www-form-urlencoded", "a=1&".repeat(500) + "b=2")).startsWith("HTTP/1.1 200 ");
        assertThat(up.requests()).hasSize(3);
    }

}
