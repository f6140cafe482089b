package io.tiyi.auth;

import static io.tiyi.store.generated.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.NodeInternals;
import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.NodeExtension;
import java.time.Instant;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every event that should end a user's sessions ends them at once: the access tokens issued
 * before it are refused on the very next call, not when they expire.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RevocationTest {
    static final String SECRET = "revocation-test-secret-0123456789abcdef";
    static final String PASSWORD = "correct horse battery";

    @RegisterExtension
    static final NodeExtension NODE = NodeExtension.primary().withSetting(c -> c.withJwtSecret(SECRET, "test"));

    TiyiNode node;
    TiyiClient anonymous;
    TiyiClient local;

    @BeforeAll
    void start() {
        node = NODE.node();
        anonymous = TiyiClient.of(node.adminUrl(), null);
        local = node.client();
    }

    private JsonNode create(String name, String role) {
        return local.raw("UsersService", "Create", Map.of("name", name, "role", role, "password", PASSWORD));
    }

    private JsonNode login(String user, String password) {
        return anonymous.raw("AuthService", "Login", Map.of("user", user, "password", password));
    }

    private TiyiClient as(JsonNode grant) {
        return anonymous.withToken(grant.get("access_token").asText());
    }

    private static String whoAmI(TiyiClient c) {
        return c.raw("AuthService", "WhoAmI", Map.of()).get("role").asText();
    }

    private static void assertSessionEnded(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(TiyiApiException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(401);
            assertThat(e.getMessage()).contains("session ended").contains("log in again");
        });
    }

    private void assertRefreshRefused(JsonNode grant) {
        assertThatThrownBy(() -> anonymous.raw("AuthService", "Refresh", Map.of("refresh_token", grant.get("refresh_token").asText())))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
    }

    @Test
    void ownPasswordChangeEndsEverySessionOfThatUserOnly() {
        create("alice", "operator");
        create("bystander", "viewer");
        JsonNode first = login("alice", PASSWORD);
        JsonNode second = login("alice", PASSWORD);
        JsonNode other = login("bystander", PASSWORD);
        assertThat(whoAmI(as(first))).isEqualTo("operator");

        as(first).raw("AuthService", "ChangePassword", Map.of("password", "a new password for alice"));

        assertSessionEnded(() -> whoAmI(as(first)));
        assertSessionEnded(() -> whoAmI(as(second)));
        assertRefreshRefused(second);
        assertThat(whoAmI(as(other))).as("another user's session").isEqualTo("viewer");
        assertThat(whoAmI(as(login("alice", "a new password for alice")))).isEqualTo("operator");
    }

    @Test
    void adminSetPasswordEndsTheUsersSessions() {
        create("bob", "operator");
        JsonNode g = login("bob", PASSWORD);
        local.raw("UsersService", "SetPassword", Map.of("name", "bob", "password", "reset by an admin 1", "require_change", true));
        assertSessionEnded(() -> whoAmI(as(g)));
        assertRefreshRefused(g);
    }

    @Test
    void disableEndsSessionsAndEnableDoesNotBringThemBack() {
        create("carol", "operator");
        JsonNode g = login("carol", PASSWORD);
        local.raw("UsersService", "Disable", Map.of("name", "carol"));
        assertThatThrownBy(() -> whoAmI(as(g))).isInstanceOfSatisfying(TiyiApiException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(401);
            assertThat(e.getMessage()).contains("session ended").contains("'carol' is disabled");
        });
        local.raw("UsersService", "Enable", Map.of("name", "carol"));
        assertSessionEnded(() -> whoAmI(as(g)));
        assertRefreshRefused(g);
        assertThat(whoAmI(as(login("carol", PASSWORD)))).isEqualTo("operator");
    }

    @Test
    void aNameTakenAgainIsAnotherUser() {
        create("dave", "viewer");
        long oldId = NodeInternals.store(node).read(db -> db.select(USERS.ID).from(USERS).where(USERS.NAME.eq("dave")).fetchOne(USERS.ID));
        JsonNode viewer = login("dave", PASSWORD);
        local.raw("UsersService", "Delete", Map.of("name", "dave"));
        create("dave", "admin");
        long newId = NodeInternals.store(node).read(db -> db.select(USERS.ID).from(USERS).where(USERS.NAME.eq("dave")).fetchOne(USERS.ID));

        assertThatThrownBy(() -> as(viewer).raw("UsersService", "List", Map.of()))
                .as("the old viewer token is not the new admin (row id %d, was %d)", newId, oldId)
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(401);
                    assertThat(e.getMessage()).contains("session ended").contains("deleted");
                });
        assertSessionEnded(() -> whoAmI(as(viewer)));
        assertRefreshRefused(viewer);
        assertThat(whoAmI(as(login("dave", PASSWORD)))).isEqualTo("admin");
    }

    @Test
    void aRoleChangeEndsTheSessions() {
        create("erin", "admin");
        JsonNode admin = login("erin", PASSWORD);
        assertThat(as(admin).raw("UsersService", "List", Map.of()).get("users").size()).isPositive();
        local.raw("UsersService", "SetRole", Map.of("name", "erin", "role", "viewer"));
        assertSessionEnded(() -> as(admin).raw("UsersService", "List", Map.of()));
        assertSessionEnded(() -> whoAmI(as(admin)));
        assertRefreshRefused(admin);
        assertThat(whoAmI(as(login("erin", PASSWORD)))).isEqualTo("viewer");
    }

    @Test
    void aReusedRefreshTokenEndsEverySessionOfTheUser() {
        create("frank", "operator");
        JsonNode stolen = login("frank", PASSWORD);
        JsonNode elsewhere = login("frank", PASSWORD);
        JsonNode rotated = anonymous.raw("AuthService", "Refresh", Map.of("refresh_token", stolen.get("refresh_token").asText()));
        assertThat(whoAmI(as(rotated))).isEqualTo("operator");

        assertThatThrownBy(() -> anonymous.raw("AuthService", "Refresh", Map.of("refresh_token", stolen.get("refresh_token").asText())))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(401);
                    assertThat(e.getMessage()).contains("already used").contains("every session");
                });

        assertSessionEnded(() -> whoAmI(as(stolen)));
        assertSessionEnded(() -> whoAmI(as(rotated)));
        assertSessionEnded(() -> whoAmI(as(elsewhere)));
        assertRefreshRefused(rotated);
        assertRefreshRefused(elsewhere);
    }

    @Test
    void aTokenWithoutExpiryOrIssueTimeIsRefused() {
        create("gina", "admin");
        String uid = NodeInternals.store(node).read(db -> db.select(USERS.UID).from(USERS).where(USERS.NAME.eq("gina")).fetchOne(USERS.UID));
        Instant now = Instant.now();
        Algorithm hs256 = Algorithm.HMAC256(SECRET);
        String complete = JWT.create().withIssuer("tiyi").withSubject(uid).withClaim("gen", 0L).withClaim("sid", "x")
                .withIssuedAt(now).withExpiresAt(now.plusSeconds(600)).sign(hs256);
        String noExp = JWT.create().withIssuer("tiyi").withSubject(uid).withClaim("gen", 0L).withClaim("sid", "x")
                .withIssuedAt(now).sign(hs256);
        String noIat = JWT.create().withIssuer("tiyi").withSubject(uid).withClaim("gen", 0L).withClaim("sid", "x")
                .withExpiresAt(now.plusSeconds(600)).sign(hs256);
        String noGen = JWT.create().withIssuer("tiyi").withSubject(uid).withClaim("sid", "x")
                .withIssuedAt(now).withExpiresAt(now.plusSeconds(600)).sign(hs256);
        String byName = JWT.create().withIssuer("tiyi").withSubject("gina").withClaim("gen", 0L).withClaim("sid", "x")
                .withIssuedAt(now).withExpiresAt(now.plusSeconds(600)).sign(hs256);

        assertThat(whoAmI(anonymous.withToken(complete))).as("the same token with every claim").isEqualTo("admin");
        for (String t : new String[] {noExp, noIat, noGen, byName}) {
            assertThatThrownBy(() -> whoAmI(anonymous.withToken(t)))
                    .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
        }
    }

    @Test
    void usersGetDistinctRandomUids() {
        create("hana", "viewer");
        create("ivan", "viewer");
        var uids = NodeInternals.store(node).read(db -> db.select(USERS.UID).from(USERS).fetch(USERS.UID));
        assertThat(uids).doesNotHaveDuplicates().filteredOn(u -> !u.startsWith("legacy-")).allMatch(u -> u.matches("[0-9a-f]{32}"));
        assertThat(uids).hasSizeGreaterThanOrEqualTo(3);
    }
}
