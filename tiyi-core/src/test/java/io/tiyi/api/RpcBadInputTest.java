package io.tiyi.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.tiyi.NodeInternals;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.auth.UserRole;
import io.tiyi.client.TiyiClient;
import io.tiyi.internal.Json;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.RawHttp;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every registered RPC method answers a body of the wrong shape with 400 and a message naming
 * the problem, never 500: a top-level {@code null}, array, number or string, and each field of its
 * request given a value of the wrong type or too large for it. Methods for agents answer 401
 * first, since an admin token is not an agent credential.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RpcBadInputTest {
    @RegisterExtension
    static final NodeExtension NODE = NodeExtension.primary();

    InetSocketAddress addr;
    String adminToken;

    @BeforeAll
    void start() {
        URI api = URI.create(NODE.adminUrl());
        addr = new InetSocketAddress(api.getHost(), api.getPort());
        adminToken = LocalAdminCredential.read(NODE.stateDir()).orElseThrow().token();
    }

    /** One bad body for one method, and what the message must contain. */
    record Case(RpcMethod<?> method, String body, String mentions) {}

    @Test
    void everyMethodAnswersBadBodiesWith400NamingTheProblem() throws Exception {
        List<Case> cases = new ArrayList<>();
        for (RpcMethod<?> m : NodeInternals.rpcRegistry(NODE.node()).all()) {
            cases.add(new Case(m, "null", "must be a JSON object, got null"));
            cases.add(new Case(m, "[]", "must be a JSON object, got an array"));
            cases.add(new Case(m, "1", "must be a JSON object, got a number"));
            cases.add(new Case(m, "\"x\"", "must be a JSON object, got a string"));
            cases.add(new Case(m, "{} {}", "one JSON object"));
            cases.add(new Case(m, "{\"a\": ", "not valid JSON"));
            BeanDescription d = Json.MAPPER.getDeserializationConfig().introspect(Json.MAPPER.constructType(m.requestType()));
            for (BeanPropertyDefinition p : d.findProperties()) {
                for (String wrong : wrongValues(p.getRawPrimaryType())) {
                    cases.add(new Case(m, "{\"" + p.getName() + "\": " + wrong + "}", "'" + p.getName() + "'"));
                }
            }
        }
        assertThat(cases).hasSizeGreaterThan(400);

        SoftAssertions soft = new SoftAssertions();
        int sourceHost = 1;
        for (Case c : cases) {
            // Calls anyone may make are rate-limited per address: each gets its own.
            InetAddress from = c.method().access() == Access.PUBLIC ? InetAddress.getByName("127.0.4." + (sourceHost++ % 250 + 1))
                    : InetAddress.getLoopbackAddress();
            HttpResponse<String> r = RawHttp.post(addr, from, "127.0.0.1", "/rpc/" + c.method().fullName(),
                    Map.of("Authorization", "Bearer " + adminToken, "Content-Type", "application/json"), c.body().getBytes(StandardCharsets.UTF_8));
            String what = c.method().fullName() + " " + c.body();
            soft.assertThat(r.body()).as(what).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("io.tiyi.");
            if (c.method().access() == Access.AGENT || c.method().access() == Access.SECONDARY) {
                soft.assertThat(r.statusCode()).as(what).isEqualTo(401);
            } else {
                soft.assertThat(r.statusCode()).as(what + " -> " + r.body()).isEqualTo(400);
                soft.assertThat(r.body()).as(what).contains(c.mentions());
            }
        }
        soft.assertAll();
    }

    @Test
    void durationsAndNumbersThatOverflowNameTheirField() {
        TiyiClient admin = NODE.client();
        assertThat(post("AgentsService/IssueToken", "{\"ttl\": \"99999999999999999999h\"}").body()).contains("ttl");
        assertThat(post("AgentsService/IssueToken", "{\"ttl\": \"99999999999999999999h\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> limit = post("AgentsService/List", "{\"limit\": 99999999999999999999}");
        assertThat(limit.statusCode()).isEqualTo(400);
        assertThat(limit.body()).contains("'limit'").contains("out of range");
        assertThat(admin.raw("AuthService", "WhoAmI", Map.of()).get("role").asText()).isEqualTo("admin");
    }

    @Test
    void refusedChangesByUsersAreAudited() throws Exception {
        NodeInternals.users(NODE.node()).create("test", "vic", UserRole.VIEWER, "viewer-password-123".toCharArray());
        String viewer = TiyiClient.of(NODE.adminUrl(), null).raw("AuthService", "Login", Map.of("user", "vic", "password",
                "viewer-password-123")).get("access_token").asText();
        HttpResponse<String> denied = RawHttp.post(addr, InetAddress.getLoopbackAddress(), "127.0.0.1", "/rpc/tiyi.v1.UsersService/Create",
                Map.of("Authorization", "Bearer " + viewer), "{\"name\": \"mallory\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(post("AgentsService/IssueToken", "{\"ttl\": \"0s\"}").statusCode()).isEqualTo(400);
        // A query that fails is not a refused change, and a call without a token names nobody.
        assertThat(post("AuditService/List", "{\"limit\": \"many\"}").statusCode()).isEqualTo(400);
        assertThat(RawHttp.post(addr, InetAddress.getLoopbackAddress(), "127.0.0.1", "/rpc/tiyi.v1.UsersService/Create", Map.of(),
                new byte[0]).statusCode()).isEqualTo(401);

        JsonNode entries = NODE.client().raw("AuditService", "List", Map.of("action", "rpc.refused", "limit", 50)).get("entries");
        List<String> seen = new ArrayList<>();
        entries.forEach(e -> seen.add(e.get("actor").asText() + " " + e.get("target").asText() + " " + e.get("details").asText()));
        assertThat(seen).anyMatch(s -> s.startsWith("user:vic UsersService/Create ") && s.contains("\"code\":\"permission_denied\""))
                .anyMatch(s -> s.contains(" AgentsService/IssueToken ") && s.contains("\"code\":\"invalid_argument\"") && s.contains("ttl must be a duration"))
                .noneMatch(s -> s.contains("AuditService/"));
    }

    private HttpResponse<String> post(String method, String body) {
        try {
            return RawHttp.post(addr, InetAddress.getLoopbackAddress(), "127.0.0.1", "/rpc/tiyi.v1." + method,
                    Map.of("Authorization", "Bearer " + adminToken), body.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** JSON values no field of {@code type} accepts. */
    static List<String> wrongValues(Class<?> type) {
        if (type == int.class || type == Integer.class) {
            return List.of("{\"n\": 1}", "99999999999999999999", "1e400");
        }
        if (type == long.class || type == Long.class) {
            return List.of("{\"n\": 1}", "99999999999999999999999");
        }
        if (Map.class.isAssignableFrom(type)) {
            return List.of("[1]");
        }
        if (type == JsonNode.class || type == Object.class) {
            return List.of();
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return List.of("{\"n\": 1}");
        }
        if (type.isRecord() || !type.getName().startsWith("java.")) {
            return List.of("[[1]]");
        }
        return List.of("{\"n\": 1}");
    }
}
