package io.tiyi.api;

import io.tiyi.TiyiException;
import io.tiyi.crypto.RandomTokens;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.server.handlers.CookieImpl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The browser session of the web UI.
 *
 * <p>The access and refresh tokens live in {@code HttpOnly; SameSite=Strict} cookies, so page
 * scripts never see them. Requests made with the session cookie must also carry the CSRF token
 * in {@value #CSRF_HEADER}, equal to the {@value #CSRF} cookie (double submit): a page on
 * another origin can neither read that cookie nor set a custom header without a CORS preflight,
 * which this listener never grants. SameSite=Strict alone would already keep the cookies off
 * cross-site requests; the token also covers browsers and same-site hosts where it does not.
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

    private UiCookies() {}

    static String value(HttpServerExchange exchange, String name) {
        Cookie c = exchange.getRequestCookie(name);
        return c == null || c.getValue() == null || c.getValue().isEmpty() ? null : c.getValue();
    }

    /** Refuses a cookie-authenticated request whose CSRF header is missing or differs from the cookie. */
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

    static void rotateCsrf(HttpServerExchange exchange) {
        set(exchange, CSRF, RandomTokens.token(32), "/", false, -1);
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

    /**
     * @param maxAge seconds; -1 for a cookie that ends with the browser session, 0 to delete it
     */
    private static void set(HttpServerExchange exchange, String name, String value, String path, boolean httpOnly, int maxAge) {
        CookieImpl c = new CookieImpl(name, value);
        c.setPath(path);
        c.setHttpOnly(httpOnly);
        c.setSameSiteMode("Strict");
        // Secure when the browser reached us over TLS; plain HTTP on loopback must keep working.
        c.setSecure("https".equalsIgnoreCase(exchange.getRequestScheme()));
        if (maxAge >= 0) {
            c.setMaxAge(maxAge);
        }
        exchange.setResponseCookie(c);
    }
}
