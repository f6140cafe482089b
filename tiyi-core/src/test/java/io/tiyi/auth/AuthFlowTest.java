package io.tiyi.auth;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;
import static io.tiyi.store.generated.Tables.REFRESH_TOKENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import io.tiyi.store.StateStore;
import io.tiyi.testsupport.NodeExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuthFlowTest {
    @RegisterExtension
    final NodeExtension nodes = NodeExtension.primary();

    Path dir;

    TiyiNode node;
    TiyiClient api;
    TiyiClient local;

    @BeforeEach
    void start() {
        node = nodes.node();
        dir = nodes.stateDir();
        api = TiyiClient.of(node.adminUrl(), null);
        local = api.withToken(LocalAdminCredential.read(dir).orElseThrow().token());
    }

    private JsonNode login(String user, String password) {
        return api.raw("AuthService", "Login", Map.of("user", user, "password", password));
    }

    private List<String> auditActions() {
        try (StateStore s = StateStore.open(dir)) {
            return s.read(db -> db.select(AUDIT_LOG.ACTION).from(AUDIT_LOG).orderBy(AUDIT_LOG.ID).fetch(AUDIT_LOG.ACTION));
        }
    }

    @Test
    void bootstrapAdminMustChangePasswordBeforeAnythingElse() {
        String bootstrap = node.bootstrapPassword().orElseThrow();
        JsonNode g = login("admin", bootstrap);
        assertThat(g.get("must_change_password").asBoolean()).isTrue();
        TiyiClient admin = api.withToken(g.get("access_token").asText());
        assertThatThrownBy(() -> admin.raw("UsersService", "List", Map.of()))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("password change required");
                });
        assertThatThrownBy(() -> admin.raw("AuthService", "ChangePassword", Map.of("password", bootstrap)))
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> admin.raw("AuthService", "ChangePassword", Map.of("password", "short")))
                .hasMessageContaining("at least 12 characters");
        admin.raw("AuthService", "ChangePassword", Map.of("password", "a much better password"));
        JsonNode again = login("admin", "a much better password");
        assertThat(again.get("must_change_password").asBoolean()).isFalse();
        assertThat(api.withToken(again.get("access_token").asText()).raw("UsersService", "List", Map.of()).get("users")).hasSize(1);
        assertThatThrownBy(() -> login("admin", bootstrap)).isInstanceOf(TiyiApiException.class);
    }

    @Test
    void refreshRotatesAndReuseRevokesTheFamily() {
        local.raw("UsersService", "Create", Map.of("name", "alice", "role", "operator", "password", "correct horse battery"));
        JsonNode g1 = login("alice", "correct horse battery");
        JsonNode g2 = api.raw("AuthService", "Refresh", Map.of("refresh_token", g1.get("refresh_token").asText()));
        assertThat(g2.get("refresh_token").asText()).isNotEqualTo(g1.get("refresh_token").asText());
        JsonNode g3 = api.raw("AuthService", "Refresh", Map.of("refresh_token", g2.get("refresh_token").asText()));
        assertThatThrownBy(() -> api.raw("AuthService", "Refresh", Map.of("refresh_token", g1.get("refresh_token").asText())))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(401);
                    assertThat(e.getMessage()).contains("already used");
                });
        assertThatThrownBy(() -> api.raw("AuthService", "Refresh", Map.of("refresh_token", g3.get("refresh_token").asText())))
                .hasMessageContaining("not valid");
        assertThat(auditActions()).contains("auth.login", "auth.refresh", "auth.token_family_revoked");
        try (StateStore s = StateStore.open(dir)) {
            List<String> hashes = s.read(db -> db.select(REFRESH_TOKENS.TOKEN_HASH).from(REFRESH_TOKENS).fetch(REFRESH_TOKENS.TOKEN_HASH));
            assertThat(hashes).hasSize(3).doesNotContain(g1.get("refresh_token").asText()).allMatch(h -> h.matches("[0-9a-f]{64}"));
        }
    }

    @Test
    void logoutEndsTheLogin() {
        local.raw("UsersService", "Create", Map.of("name", "bob", "role", "viewer", "password", "correct horse battery"));
        JsonNode g = login("bob", "correct horse battery");
        api.raw("AuthService", "Logout", Map.of("refresh_token", g.get("refresh_token").asText()));
        assertThatThrownBy(() -> api.raw("AuthService", "Refresh", Map.of("refresh_token", g.get("refresh_token").asText())))
                .isInstanceOf(TiyiApiException.class);
        assertThat(auditActions()).contains("auth.logout");
    }

    @Test
    void failedLoginsAreAuditedAndThrottled() {
        local.raw("UsersService", "Create", Map.of("name", "carol", "role", "viewer", "password", "correct horse battery"));
        for (int i = 0; i < LoginThrottle.PER_USER; i++) {
            assertThatThrownBy(() -> login("carol", "wrong password"))
                    .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
        }
        assertThatThrownBy(() -> login("carol", "correct horse battery"))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(429);
                    assertThat(e.getMessage()).contains("too many failed logins for user 'carol'").contains("retry in");
                });
        assertThat(auditActions()).filteredOn("auth.login_failed"::equals).hasSize(LoginThrottle.PER_USER);
    }

    @Test
    void disabledUserCannotLoginOrUseItsToken() {
        local.raw("UsersService", "Create", Map.of("name", "dave", "role", "operator", "password", "correct horse battery"));
        TiyiClient dave = api.withToken(login("dave", "correct horse battery").get("access_token").asText());
        assertThat(dave.raw("SystemService", "Status", Map.of()).get("role").asText()).isEqualTo("primary");
        local.raw("UsersService", "Disable", Map.of("name", "dave"));
        assertThatThrownBy(() -> dave.raw("SystemService", "Status", Map.of()))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
        assertThatThrownBy(() -> login("dave", "correct horse battery")).isInstanceOf(TiyiApiException.class);
    }

    @Test
    void lastEnabledAdminCannotBeRemoved() {
        for (Map<String, Object> req : List.<Map<String, Object>>of(Map.of("name", "admin"))) {
            assertThatThrownBy(() -> local.raw("UsersService", "Delete", req))
                    .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(409);
                        assertThat(e.getMessage()).contains("last enabled admin");
                    });
            assertThatThrownBy(() -> local.raw("UsersService", "Disable", req)).hasMessageContaining("last enabled admin");
        }
        assertThatThrownBy(() -> local.raw("UsersService", "SetRole", Map.of("name", "admin", "role", "viewer")))
                .hasMessageContaining("last enabled admin");
        local.raw("UsersService", "Create", Map.of("name", "erin", "role", "admin", "password", "correct horse battery"));
        local.raw("UsersService", "Delete", Map.of("name", "admin"));
        assertThat(local.raw("UsersService", "List", Map.of()).get("users")).hasSize(1);
    }

    @Test
    void userInputIsValidated() {
        assertThatThrownBy(() -> local.raw("UsersService", "Create", Map.of("name", "Bad Name", "role", "viewer", "password", "correct horse battery")))
                .hasMessageContaining("user name must be");
        assertThatThrownBy(() -> local.raw("UsersService", "Create", Map.of("name", "ok", "role", "root", "password", "correct horse battery")))
                .hasMessageContaining("role must be one of admin, operator, viewer");
        local.raw("UsersService", "Create", Map.of("name", "ok", "role", "viewer", "password", "correct horse battery"));
        assertThatThrownBy(() -> local.raw("UsersService", "Create", Map.of("name", "ok", "role", "viewer", "password", "correct horse battery")))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(409));
        assertThatThrownBy(() -> local.raw("UsersService", "SetRole", Map.of("name", "ghost", "role", "viewer")))
                .isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(404));
    }
}
