package io.tiyi.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.TiyiNode;
import io.tiyi.api.WebUi;
import io.tiyi.testsupport.NodeExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The UI's HTTP contract, without a browser: the headers of every response, what the page may
 * load, the cookie session and its CSRF check.
 */
class UiSecurityTest {
    static final Path SOURCES = Path.of("src/main/resources/io/tiyi/ui");
    static final Pattern IMPORT = Pattern.compile("(?:import|export)\\s[^'\"]*?from\\s*['\"]([^'\"]+)['\"]|import\\(['\"]([^'\"]+)['\"]\\)");

    @RegisterExtension
    static final NodeExtension NODE = NodeExtension.primary();

    static TiyiNode node;
    static HttpClient http = HttpClient.newHttpClient();
    static String password;

    @BeforeAll
    static void start() throws Exception {
        node = NODE.node();
        password = "ui-security-password-1";
        node.client().raw("UsersService", "Create", Map.of("name", "ops", "role", "operator", "password", password));
        node.client().raw("UsersService", "SetPassword", Map.of("name", "ops", "password", password, "require_change", false));
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(node.adminUrl() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String cookies, String csrf, String body) throws Exception {
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

    @Test
    void everyResponseCarriesTheStrictPolicy() throws Exception {
        for (String p : List.of("/", "/ui/app/app.js", "/ui/vendor/preact.js", "/ui/app/nothing.js", "/ui/app/../version.properties")) {
            HttpResponse<String> r = get(p);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(p).contains(WebUi.CSP);
            assertThat(r.headers().firstValue("X-Frame-Options")).as(p).contains("DENY");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(p).contains("nosniff");
        }
        assertThat(WebUi.CSP).contains("script-src 'self'").contains("style-src 'self'").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe");
        assertThat(get("/ui/app/nothing.js").statusCode()).isEqualTo(404);
        assertThat(get("/ui/app/../version.properties").statusCode()).isEqualTo(404);
        assertThat(get("/ui/app/vendor.properties").statusCode()).isEqualTo(404);
        assertThat(get("/ui/vendor/other.js").statusCode()).isEqualTo(404);
    }

    @Test
    void thePageHasNoInlineScriptOrStyleAndModulesResolveWithoutAnImportMap() throws Exception {
        String index = get("/").body();
        assertThat(index).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain("style=").doesNotContain("<style");
        HttpResponse<String> hooks = get("/ui/vendor/hooks.js");
        assertThat(hooks.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(hooks.body()).contains("from\"./preact.js\"").doesNotContain("from\"preact\"");
        List<Path> modules;
        try (Stream<Path> s = Files.walk(SOURCES)) {
            modules = s.filter(f -> f.toString().endsWith(".js")).collect(Collectors.toList());
        }
        assertThat(modules).hasSizeGreaterThan(10);
        for (Path m : modules) {
            String url = "/ui/app/" + SOURCES.relativize(m).toString().replace('\\', '/');
            HttpResponse<String> r = get(url);
            assertThat(r.statusCode()).as(url).isEqualTo(200);
            Matcher im = IMPORT.matcher(r.body());
            while (im.find()) {
                String spec = im.group(1) != null ? im.group(1) : im.group(2);
                assertThat(spec).as("import in " + url).matches("(/ui/vendor/|\\./|\\.\\./).*\\.js");
            }
            assertThat(r.body()).as(url).doesNotContain("eval(").doesNotContain("new Function").doesNotContain("innerHTML");
        }
    }

    @Test
    void theSessionLivesInHttpOnlyCookiesAndNeedsTheCsrfHeader() throws Exception {
        HttpResponse<String> page = get("/");
        String csrfCookie = setCookies(page).get("tiyi_csrf");
        assertThat(csrfCookie).contains("SameSite=Strict").doesNotContain("HttpOnly");
        String csrf = value(csrfCookie);
        String login = "{\"user\":\"ops\",\"password\":\"" + password + "\"}";

        HttpResponse<String> noHeader = post("/ui/auth/login", "tiyi_csrf=" + csrf, null, login);
        assertThat(noHeader.statusCode()).isEqualTo(403);
        assertThat(noHeader.body()).contains("CSRF");
        assertThat(setCookies(noHeader)).doesNotContainKey("tiyi_session");

        HttpResponse<String> ok = post("/ui/auth/login", "tiyi_csrf=" + csrf, csrf, login);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"user\":\"ops\"").contains("\"role\":\"operator\"").doesNotContain("eyJ").doesNotContain("tiyi_rt_");
        Map<String, String> set = setCookies(ok);
        assertThat(set.get("tiyi_session")).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/;");
        assertThat(set.get("tiyi_refresh")).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/ui/auth/");
        String session = value(set.get("tiyi_session"));
        String refresh = value(set.get("tiyi_refresh"));
        String newCsrf = value(set.get("tiyi_csrf"));
        assertThat(newCsrf).isNotEqualTo(csrf);
        String cookies = "tiyi_session=" + session + "; tiyi_csrf=" + newCsrf;

        String whoami = "/rpc/tiyi.v1.AuthService/WhoAmI";
        assertThat(post(whoami, cookies, newCsrf, "{}").body()).contains("\"user\":\"ops\"");
        HttpResponse<String> missing = post(whoami, cookies, null, "{}");
        assertThat(missing.statusCode()).isEqualTo(403);
        assertThat(missing.body()).contains("CSRF check failed");
        assertThat(post(whoami, cookies, csrf, "{}").statusCode()).as("the token from before the login").isEqualTo(403);
        assertThat(post(whoami, null, newCsrf, "{}").statusCode()).isEqualTo(401);

        // Refresh rotates the refresh token; presenting the old one again revokes the login.
        HttpResponse<String> refreshed = post("/ui/auth/refresh", "tiyi_refresh=" + refresh + "; tiyi_csrf=" + newCsrf, newCsrf, "{}");
        assertThat(refreshed.statusCode()).isEqualTo(200);
        String refresh2 = value(setCookies(refreshed).get("tiyi_refresh"));
        assertThat(refresh2).isNotEqualTo(refresh);
        assertThat(post("/ui/auth/refresh", "tiyi_refresh=" + refresh + "; tiyi_csrf=" + newCsrf, newCsrf, "{}").statusCode()).isEqualTo(401);
        assertThat(post("/ui/auth/refresh", "tiyi_refresh=" + refresh2 + "; tiyi_csrf=" + newCsrf, newCsrf, "{}").statusCode())
                .as("the whole family is revoked").isEqualTo(401);

        // Logout clears the cookies.
        HttpResponse<String> out = post("/ui/auth/logout", "tiyi_csrf=" + newCsrf, newCsrf, "{}");
        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(setCookies(out).get("tiyi_session")).startsWith("tiyi_session=;").contains("Expires=Thu, 01-Jan-1970");
        assertThat(post("/ui/auth/login", "tiyi_csrf=" + newCsrf, newCsrf, "{\"user\":\"ops\",\"password\":\"wrong\"}").statusCode())
                .isEqualTo(401);
        assertThat(get("/ui/auth/login").statusCode()).isEqualTo(400);
    }
}
