package io.tiyi.api;

import io.tiyi.TiyiException;
import io.tiyi.auth.Caller;
import io.tiyi.auth.Sessions;
import io.tiyi.crypto.RandomTokens;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.server.handlers.CookieImpl;
import io.undertow.util.AttachmentKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Predicate;

/**
 * The browser session of the web UI.
 *
 * <p>The access and refresh tokens live in {@code HttpOnly; SameSite=Strict} cookies, so page
 * scripts never see them. Requests made with the session cookie must also carry the session's
 * CSRF token in {@value #CSRF_HEADER}. Page scripts read it from the {@value #CSRF} cookie; a
 * page on another origin can neither read that cookie nor set a custom header without a CORS
 * preflight, which this listener never grants. The token is derived from the login itself
 * ({@link Sessions#csrfToken}), so a token planted in the browser, or taken from another session,
 * does not pass. Before a login there is no session to bind to: the login request is checked by
 * double submit (header equal to the cookie). SameSite=Strict alone would already keep the
 * cookies off cross-site requests; the token also covers browsers and same-site hosts where it
 * does not.
 *
 * <p>Cookies are {@code Secure} whenever the browser reached the node over TLS: directly, or
 * through a trusted proxy that says so in {@code X-Forwarded-Proto} ({@link #OVER_TLS}).
 */
final class UiCookies {
    /** The access JWT. */
    static final String SESSION = "tiyi_session";
    /** The refresh token, sent only to {@code /ui/auth/}. */
    static final String REFRESH = "tiyi_refresh";
    /** The CSRF token; readable by page scripts, which echo it in {@link #CSRF_HEADER}. */
    static final String CSRF = "tiyi_csrf";
    static final String CSRF_HEADER = "X-Tiyi-CSRF";
    static final String AUTH_PATH = "/ui/auth/";

    /**
     * How the web UI tells whether the browser reached this node over TLS (the listener's own
     * scheme, or a trusted proxy's {@code X-Forwarded-Proto}). Asked only when a cookie is set,
     * because the answer may need the trust profile from state.
     */
    @SuppressWarnings("unchecked")
    static final AttachmentKey<Predicate<HttpServerExchange>> OVER_TLS =
            (AttachmentKey<Predicate<HttpServerExchange>>) (AttachmentKey<?>) AttachmentKey.create(Predicate.class);

    private UiCookies() {}

    static String value(HttpServerExchange exchange, String name) {
        Cookie c = exchange.getRequestCookie(name);
        return c == null || c.getValue() == null || c.getValue().isEmpty() ? null : c.getValue();
    }

    /**
     * Resolves the session cookie of an RPC call: the access token must be valid and the CSRF
     * header must be the token of that same session.
     */
    static Caller authenticate(HttpServerExchange exchange, Sessions sessions, String session) {
        Sessions.BrowserSession s = sessions.authenticateBrowser(session);
        requireSessionCsrf(exchange, s.csrfToken());
        return s.caller();
    }

    /** Refuses a request whose CSRF header is not {@code expected}, the token of the session it acts on. */
    static void requireSessionCsrf(HttpServerExchange exchange, String expected) {
        String header = exchange.getRequestHeaders().getFirst(CSRF_HEADER);
        if (header == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), header.getBytes(StandardCharsets.US_ASCII))) {
            throw TiyiException.permissionDenied("CSRF check failed: the " + CSRF_HEADER
                    + " header does not belong to this session; reload the page and try again");
        }
    }

    /**
     * Refuses a request made before there is a session (a login) whose CSRF header is missing or
     * differs from the cookie.
     */
    static void requireCsrf(HttpServerExchange exchange) {
        String cookie = value(exchange, CSRF);
        String header = exchange.getRequestHeaders().getFirst(CSRF_HEADER);
        if (cookie == null || header == null || !MessageDigest.isEqual(cookie.getBytes(StandardCharsets.US_ASCII),
                header.getBytes(StandardCharsets.US_ASCII))) {
            throw TiyiException.permissionDenied("CSRF check failed: the " + CSRF_HEADER + " header must equal the " + CSRF
                    + " cookie; reload the page and try again");
        }
    }

    /** Sets a fresh CSRF token when the browser has none (or one of the wrong form). */
    static void ensureCsrf(HttpServerExchange exchange) {
        String v = value(exchange, CSRF);
        if (v == null || !v.matches("[A-Za-z0-9_-]{20,100}")) {
            rotateCsrf(exchange);
        }
    }

    /** A random pre-session token: after a logout, or for a browser that has none. */
    static void rotateCsrf(HttpServerExchange exchange) {
        setCsrf(exchange, RandomTokens.token(32));
    }

    static void setCsrf(HttpServerExchange exchange, String token) {
        set(exchange, CSRF, token, "/", false, -1);
    }

    static void setSession(HttpServerExchange exchange, String accessToken, String refreshToken) {
        set(exchange, SESSION, accessToken, "/", true, -1);
        if (refreshToken != null) {
            set(exchange, REFRESH, refreshToken, AUTH_PATH, true, -1);
        } else {
            set(exchange, REFRESH, "", AUTH_PATH, true, 0);
        }
    }

    static void clearSession(HttpServerExchange exchange) {
        set(exchange, SESSION, "", "/", true, 0);
        set(exchange, REFRESH, "", AUTH_PATH, true, 0);
    }

    private static boolean overTls(HttpServerExchange exchange) {
        Predicate<HttpServerExchange> check = exchange.getAttachment(OVER_TLS);
        boolean tls = check != null ? check.test(exchange) : "https".equalsIgnoreCase(exchange.getRequestScheme());
        // One answer per response: the cookies it sets agree, and the trust profile is read once.
        exchange.putAttachment(OVER_TLS, x -> tls);
        return tls;
    }

    /**
     * @param maxAge seconds; -1 for a cookie that ends with the browser session, 0 to delete it
     */
    private static void set(HttpServerExchange exchange, String name, String value, String path, boolean httpOnly, int maxAge) {
        CookieImpl c = new CookieImpl(name, value);
        c.setPath(path);
        c.setHttpOnly(httpOnly);
        c.setSameSiteMode("Strict");
        // Secure when the browser reached us over TLS; plain HTTP on loopback must keep working.
        c.setSecure(overTls(exchange));
        if (maxAge >= 0) {
            c.setMaxAge(maxAge);
        }
        exchange.setResponseCookie(c);
    }
}
