package io.tiyi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.NodeInternals;
import io.tiyi.TiyiNode;
import io.tiyi.auth.UserRole;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.NodeExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every RPC method refuses callers without a token, and viewers for anything that changes shared state. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RpcSecurityTest {
    static final String SECRET = "test-secret-0123456789abcdef0123456789";

    @RegisterExtension
    static final NodeExtension NODE = NodeExtension.primary().withSetting(c -> c.withJwtSecret(SECRET, "test"));

    TiyiNode node;
    TiyiClient anonymous;
    String viewerToken;

    @BeforeAll
    void start() {
        node = NODE.node();
        NodeInternals.users(node).create("test", "vera", UserRole.VIEWER, "viewer-password-123".toCharArray());
        anonymous = TiyiClient.of(node.adminUrl(), null);
        viewerToken = anonymous.raw("AuthService", "Login", Map.of("user", "vera", "password", "viewer-password-123"))
                .get("access_token").asText();
    }

    @Test
    void onlyLoginRefreshLogoutEnrollAndSeedingArePublic() {
        Set<String> pub = NodeInternals.rpcRegistry(node).all().stream().filter(m -> m.access() == Access.PUBLIC).map(RpcMethod::fullName)
                .collect(Collectors.toSet());
        assertThat(pub).containsExactlyInAnyOrder("tiyi.v1.AuthService/Login", "tiyi.v1.AuthService/Refresh", "tiyi.v1.AuthService/Logout",
                "tiyi.v1.AgentsService/Enroll", "tiyi.v1.ReplicationService/SeedSnapshot", "tiyi.v1.ReplicationService/SeedRange");
    }

    @Test
    void seedingNeedsAnUnspentSecondaryToken() {
        String edge = node.client().raw("AgentsService", "IssueToken", Map.of("tag", "edge")).get("token").asText();
        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of(), Map.of("enrollment_token", "tiyi-et-forged"),
                Map.of("enrollment_token", edge))) {
            for (String method : List.of("SeedSnapshot", "SeedRange")) {
                assertThatThrownBy(() -> anonymous.raw("ReplicationService", method, body)).as(method + " with " + body)
                        .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isIn(401, 403));
            }
        }
    }

    @Test
    void agentCredentialsAndUserTokensDoNotCross() {
        String token = node.client().raw("AgentsService", "IssueToken", Map.of("tag", "sec")).get("token").asText();
        byte[][] x = io.tiyi.crypto.SealedBox.generateKeyPair();
        io.tiyi.crypto.Ed25519KeyPair ed = io.tiyi.crypto.Ed25519KeyPair.generate();
        String credential = anonymous.raw("AgentsService", "Enroll", Map.of("token", token, "x25519_public", x[1], "ed25519_public",
                ed.publicKey(), "proof", ed.sign(io.tiyi.bundle.Enrollment.proofMessage(token, x[1])))).get("credential").asText();
        TiyiClient agent = anonymous.withToken(credential);
        TiyiClient admin = node.client();
        long agentMethods = 0;
        for (RpcMethod<?> m : NodeInternals.rpcRegistry(node).all()) {
            if (m.access() == Access.AGENT || m.access() == Access.SECONDARY) {
                agentMethods++;
                for (TiyiClient user : new TiyiClient[] {admin, anonymous.withToken(viewerToken)}) {
                    assertThatThrownBy(() -> user.raw(m.service(), m.method(), Map.of())).as(m.fullName() + " with a user token")
                            .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
                }
            } else if (m.access() != Access.PUBLIC) {
                assertThatThrownBy(() -> agent.raw(m.service(), m.method(), Map.of())).as(m.fullName() + " with an agent credential")
                        .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
            }
        }
        assertThat(agentMethods).as("Report, Watch, GetRules, Download, Snapshot, SnapshotRange, Pull, Status, Blob, Demote, Undemote,"
                + " Promoted, Ingest").isEqualTo(13);
        assertThat(agent.raw("BundlesService", "Watch", Map.of("after_epoch", 0, "after_seq", 0, "timeout_ms", 0)).get("changed")
                .asBoolean()).isTrue();
    }

    @Test
    void everyMethodRefusesCallsWithoutAValidToken() {
        String forged = JWT.create().withIssuer("tiyi").withSubject("admin").withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC256("another-secret-0123456789abcdef0123456"));
        for (RpcMethod<?> m : NodeInternals.rpcRegistry(node).all()) {
            if (m.access() == Access.PUBLIC) {
                continue;
            }
            for (String token : new String[] {null, "garbage", forged}) {
                assertThatThrownBy(() -> anonymous.withToken(token).raw(m.service(), m.method(), Map.of()))
                        .as(m.fullName() + " with token " + token)
                        .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                            assertThat(e.httpStatus()).isEqualTo(401);
                            assertThat(e.wireCode()).isEqualTo("unauthenticated");
                        });
            }
        }
    }

    @Test
    void enrollmentNeedsAProofOfTheAgentsKey() {
        String token = node.client().raw("AgentsService", "IssueToken", Map.of("tag", "proof")).get("token").asText();
        byte[][] x = io.tiyi.crypto.SealedBox.generateKeyPair();
        io.tiyi.crypto.Ed25519KeyPair ed = io.tiyi.crypto.Ed25519KeyPair.generate();
        io.tiyi.crypto.Ed25519KeyPair other = io.tiyi.crypto.Ed25519KeyPair.generate();
        assertThatThrownBy(() -> anonymous.raw("AgentsService", "Enroll", Map.of("token", token, "x25519_public", x[1], "ed25519_public",
                ed.publicKey(), "proof", other.sign(io.tiyi.bundle.Enrollment.proofMessage(token, x[1])))))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.getMessage()).contains("proof does not verify"));
    }

    @Test
    void viewersSearchAndAggregateEventsOverTheWire() {
        long now = System.currentTimeMillis();
        node.events().offer(new io.tiyi.events.SecurityEvent(now - 1000, "ev-1", "10.0.0.9", "10.0.0.9", "rpc-events", "GET", "shop.test",
                "/item?id=1'", "blocked", 403, java.util.List.of(942100L), java.util.List.of("SQL Injection Attack"), "ARGS:id", 5));
        node.events().offer(new io.tiyi.events.AccessEvent(now - 1000, "ev-1", "10.0.0.9", "10.0.0.9", "GET", "shop.test", "/item?id=1'", 403, 0,
                "rpc-events", "", -1, 1));
        node.events().flush();
        TiyiClient viewer = anonymous.withToken(viewerToken);

        JsonNode page = viewer.raw("EventsService", "Search", Map.of("site", "rpc-events", "rule_id", 942100, "path", "id=1"));
        assertThat(page.get("events")).hasSize(1);
        assertThat(page.get("events").get(0).get("request_id").asText()).isEqualTo("ev-1");
        assertThat(page.get("next_cursor").isNull()).isTrue();

        JsonNode stats = viewer.raw("EventsService", "Stats", Map.of("site", "rpc-events", "buckets", 10));
        assertThat(stats.get("requests").asLong()).isEqualTo(1);
        assertThat(stats.get("blocked").asLong()).isEqualTo(1);
        assertThat(stats.get("sites").get(0).get("requests")).hasSize(10);
        assertThat(stats.get("top_rules").get(0).get("message").asText()).isEqualTo("SQL Injection Attack");
        assertThat(stats.get("top_clients").get(0).get("client_ip").asText()).isEqualTo("10.0.0.9");

        assertThatThrownBy(() -> viewer.raw("EventsService", "Search", Map.of("cursor", "nope!")))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("cursor is not valid; start from the first page");
                });
    }

    @Test
    void viewerCannotCallAnyMutatingMethod() {
        TiyiClient viewer = anonymous.withToken(viewerToken);
        long checked = 0;
        for (RpcMethod<?> m : NodeInternals.rpcRegistry(node).all()) {
            if (!m.mutating() || m.access() == Access.PUBLIC || m.selfService()) {
                continue;
            }
            assertThatThrownBy(() -> viewer.raw(m.service(), m.method(), Map.of()))
                    .as(m.fullName())
                    .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(403));
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(7);
    }

    @Test
    void tokensWithAlgNoneOrAnotherAlgorithmAreRefused() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String payload = b64("{\"iss\":\"tiyi\",\"sub\":\"admin\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}");
        String none = header + "." + payload + ".";
        String hs384 = JWT.create().withIssuer("tiyi").withSubject("admin").withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC384(SECRET));
        String expired = JWT.create().withIssuer("tiyi").withSubject("admin").withExpiresAt(Instant.now().minusSeconds(600))
                .sign(Algorithm.HMAC256(SECRET));
        String uid = NodeInternals.store(node).read(db -> db.select(io.tiyi.store.generated.Tables.USERS.UID)
                .from(io.tiyi.store.generated.Tables.USERS).where(io.tiyi.store.generated.Tables.USERS.NAME.eq("vera"))
                .fetchOne(io.tiyi.store.generated.Tables.USERS.UID));
        String valid = JWT.create().withIssuer("tiyi").withSubject(uid).withClaim("gen", 0L).withClaim("sid", "s")
                .withIssuedAt(Instant.now()).withExpiresAt(Instant.now().plusSeconds(600)).sign(Algorithm.HMAC256(SECRET));
        for (String t : new String[] {none, hs384, expired}) {
            assertThatThrownBy(() -> anonymous.withToken(t).raw("SystemService", "Status", Map.of()))
                    .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
        }
        assertThat(anonymous.withToken(valid).raw("SystemService", "Status", Map.of()).get("role").asText()).isEqualTo("primary");
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        TiyiClient viewer = anonymous.withToken(viewerToken);
        assertThatThrownBy(() -> viewer.raw("SystemService", "GetSetting", Map.of("key", "siem.format", "kee", 1)))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("unknown field 'kee'").contains("key");
                });
        assertThatThrownBy(() -> viewer.raw("SystemService", "GetSetting", Map.of("key", Map.of())))
                .hasMessageContaining("field 'key'");
    }

    @Test
    void unknownMethodWrongVerbAndOversizedBody() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.adminUrl() + "/rpc/tiyi.v1.Nope/Nothing"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("\"code\":\"unimplemented\"").contains("tiyi.v1.Nope/Nothing");
        r = http.send(HttpRequest.newBuilder(URI.create(node.adminUrl() + "/rpc/tiyi.v1.SystemService/Status")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        byte[] big = new byte[RpcHandler.MAX_BODY + 10];
        java.util.Arrays.fill(big, (byte) ' ');
        r = http.send(HttpRequest.newBuilder(URI.create(node.adminUrl() + "/rpc/tiyi.v1.SystemService/Status"))
                .header("authorization", "Bearer " + viewerToken).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    }

    @Test
    void errorsNeverLeakInternals() {
        JsonNode status = anonymous.withToken(viewerToken).raw("SystemService", "Status", Map.of());
        assertThat(status.get("version").asText()).isNotEmpty();
        assertThatThrownBy(() -> anonymous.raw("AuthService", "Login", Map.of("user", "vera", "password", "nope")))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(401);
                    assertThat(e.getMessage()).doesNotContain("Exception").doesNotContain("argon");
                });
    }
}
