package io.tiyi.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.TiyiNode;
import io.tiyi.testsupport.NodeExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The web UI's cookie session over HTTP, without a browser: its CSRF token belongs to one login,
 * and its cookies are Secure when a trusted TLS-terminating proxy says the browser used TLS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserSessionTest {
    static final String PASSWORD = "browser-session-password-1";
    static final String WHO_AM_I = "/rpc/tiyi.v1.AuthService/WhoAmI";

    @RegisterExtension
    static final NodeExtension NODE = NodeExtension.primary();

    TiyiNode node;
    final HttpClient http = HttpClient.newHttpClient();

    /** The cookies a login left in one browser. */
    record Session(String access, String refresh, String csrf) {
        String cookies() {
            return "tiyi_session=" + access + "; tiyi_csrf=" + csrf;
        }

        String authCookies() {
            return "tiyi_refresh=" + refresh + "; tiyi_csrf=" + csrf;
        }
    }

    @BeforeAll
    void start() {
        node = NODE.node();
        node.client().raw("UsersService", "Create", Map.of("name", "uma", "role", "operator", "password", PASSWORD));
    }

    HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.adminUrl() + path)).GET();
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String cookies, String csrf, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.adminUrl() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookies != null) {
            b.header("Cookie", cookies);
        }
        if (csrf != null) {
            b.header("X-Tiyi-CSRF", csrf);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> setCookies(HttpResponse<?> r) {
        return r.headers().allValues("Set-Cookie").stream().collect(Collectors.toMap(c -> c.substring(0, c.indexOf('=')), c -> c, (a, b) -> b));
    }

    static String value(String setCookie) {
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }

    Session login() throws Exception {
        String pre = value(setCookies(get("/", Map.of())).get("tiyi_csrf"));
        HttpResponse<String> r = post("/ui/auth/login", "tiyi_csrf=" + pre, pre, "{\"user\":\"uma\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, String> set = setCookies(r);
        return new Session(value(set.get("tiyi_session")), value(set.get("tiyi_refresh")), value(set.get("tiyi_csrf")));
    }

    @Test
    void aCsrfTokenOfOneSessionDoesNotPassOnAnother() throws Exception {
        Session a = login();
        Session b = login();
        assertThat(a.csrf()).isNotEqualTo(b.csrf());
        assertThat(post(WHO_AM_I, b.cookies(), b.csrf(), "{}").statusCode()).isEqualTo(200);

        HttpResponse<String> crossed = post(WHO_AM_I, "tiyi_session=" + b.access() + "; tiyi_csrf=" + a.csrf(), a.csrf(), "{}");
        assertThat(crossed.statusCode()).isEqualTo(403);
        assertThat(crossed.body()).contains("CSRF check failed").contains("does not belong to this session");
        // A token planted in the browser: cookie and header agree, but neither is this session's.
        String planted = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assertThat(post(WHO_AM_I, "tiyi_session=" + b.access() + "; tiyi_csrf=" + planted, planted, "{}").statusCode()).isEqualTo(403);

        HttpResponse<String> refreshCrossed = post("/ui/auth/refresh", "tiyi_refresh=" + b.refresh() + "; tiyi_csrf=" + a.csrf(), a.csrf(), "{}");
        assertThat(refreshCrossed.statusCode()).isEqualTo(403);
        assertThat(setCookies(refreshCrossed)).as("a refused refresh leaves the session alone").doesNotContainKey("tiyi_session");
        HttpResponse<String> logoutCrossed = post("/ui/auth/logout", b.authCookies().replace(b.csrf(), a.csrf()), a.csrf(), "{}");
        assertThat(logoutCrossed.statusCode()).isEqualTo(403);

        HttpResponse<String> refreshed = post("/ui/auth/refresh", b.authCookies(), b.csrf(), "{}");
        assertThat(refreshed.statusCode()).as("B's own token still refreshes B").isEqualTo(200);
        Map<String, String> set = setCookies(refreshed);
        assertThat(value(set.get("tiyi_csrf"))).as("the token belongs to the login, so it survives a refresh").isEqualTo(b.csrf());
        assertThat(post(WHO_AM_I, "tiyi_session=" + value(set.get("tiyi_session")) + "; tiyi_csrf=" + b.csrf(), b.csrf(), "{}").statusCode())
                .isEqualTo(200);

        HttpResponse<String> out = post("/ui/auth/logout", "tiyi_refresh=" + value(set.get("tiyi_refresh")) + "; tiyi_csrf=" + b.csrf(),
                b.csrf(), "{}");
        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(value(setCookies(out).get("tiyi_csrf"))).as("a logout leaves a fresh pre-session token").isNotEqualTo(b.csrf());
        assertThat(post(WHO_AM_I, a.cookies(), a.csrf(), "{}").statusCode()).as("A is another login").isEqualTo(200);
    }

    @Test
    void cookiesAreSecureWhenATrustedProxySaysTheBrowserUsedTls() throws Exception {
        Map<String, String> https = Map.of("X-Forwarded-Proto", "https");
        try {
            assertThat(setCookies(get("/", https)).get("tiyi_csrf")).as("nobody is trusted yet").doesNotContain("Secure");

            node.client().raw("TrustService", "Set", Map.of("trusted_proxies", List.of("10.99.0.0/16")));
            assertThat(setCookies(get("/", https)).get("tiyi_csrf")).as("from a peer outside trusted_proxies").doesNotContain("Secure");

            node.client().raw("TrustService", "Set", Map.of("trusted_proxies", List.of("127.0.0.1")));
            assertThat(setCookies(get("/", https)).get("tiyi_csrf")).as("from a trusted proxy").contains("Secure");
            assertThat(setCookies(get("/", Map.of("X-Forwarded-Proto", "http"))).get("tiyi_csrf")).doesNotContain("Secure");
            assertThat(setCookies(get("/", Map.of())).get("tiyi_csrf")).doesNotContain("Secure");

            String pre = value(setCookies(get("/", Map.of())).get("tiyi_csrf"));
            HttpRequest login = HttpRequest.newBuilder(URI.create(node.adminUrl() + "/ui/auth/login")).header("Content-Type", "application/json")
                    .header("Cookie", "tiyi_csrf=" + pre).header("X-Tiyi-CSRF", pre).header("X-Forwarded-Proto", "https")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"uma\",\"password\":\"" + PASSWORD + "\"}")).build();
            HttpResponse<String> r = http.send(login, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(setCookies(r)).containsKeys("tiyi_session", "tiyi_refresh", "tiyi_csrf")
                    .allSatisfy((name, cookie) -> assertThat(cookie).as(name).contains("Secure"));
        } finally {
            node.client().raw("TrustService", "Set", Map.of("trusted_proxies", List.of()));
        }
    }
}
