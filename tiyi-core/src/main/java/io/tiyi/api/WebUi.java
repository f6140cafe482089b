package io.tiyi.api;

import io.tiyi.TiyiException;
import io.tiyi.auth.Sessions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The web UI, served by the admin listener of every control-plane node: {@code /} is the page,
 * {@code /ui/app/} its ES modules and styles (resources of this jar), {@code /ui/vendor/} the
 * pinned Preact and uPlot modules taken from their WebJars, {@code /ui/auth/} the cookie session.
 * The page talks to the node only through the RPC API.
 *
 * <p>Every response carries a Content-Security-Policy that allows scripts, styles and requests
 * from this origin only: no inline script or style, no eval, no framing.
 */
public final class WebUi implements HttpHandler {
    /** The policy of every UI response. */
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final String ROOT = "io/tiyi/ui/";
    private static final HttpString X_FORWARDED_PROTO = new HttpString("X-Forwarded-Proto");
    private static final Pattern ASSET = Pattern.compile("[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*\\.(js|css|svg|png|html)");
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "png", "image/png", "html", "text/html; charset=utf-8");

    private record Asset(byte[] data, String type, String etag) {}

    private final UiAuthHandler auth;
    private final Predicate<String> trustedProxy;
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Asset>> vendor;

    /**
     * A web UI that believes no proxy: its cookies are {@code Secure} only when this listener
     * itself speaks TLS.
     *
     * @param notPrimary why this node takes no changes now, or null when it does (a login there
     *     gets no refresh token)
     */
    public WebUi(Sessions sessions, Supplier<String> notPrimary) {
        this(sessions, notPrimary, peer -> false);
    }

    /**
     * @param notPrimary why this node takes no changes now, or null when it does (a login there
     *     gets no refresh token)
     * @param trustedProxy whether a TCP peer (an IP address) is a trusted proxy of the cluster's
     *     trust profile, whose {@code X-Forwarded-Proto: https} means the browser used TLS
     */
    public WebUi(Sessions sessions, Supplier<String> notPrimary, Predicate<String> trustedProxy) {
        this.auth = new UiAuthHandler(sessions, notPrimary);
        this.trustedProxy = trustedProxy;
        Properties v = new Properties();
        try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream(ROOT + "vendor.properties")) {
            if (in == null) {
                throw new IllegalStateException(ROOT + "vendor.properties is missing from the jar");
            }
            v.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String preact = "META-INF/resources/webjars/preact/" + v.getProperty("preact") + "/";
        String uplot = "META-INF/resources/webjars/uplot/" + v.getProperty("uplot") + "/dist/";
        this.vendor = Map.of(
                "preact.js", () -> load(preact + "dist/preact.module.js", "js"),
                // The hooks module imports the bare specifier "preact", which a browser without an
                // import map (an inline script the CSP forbids) cannot resolve: point it at our copy.
                "hooks.js", () -> rewrite(load(preact + "hooks/dist/hooks.module.js", "js"), "from\"preact\"", "from\"./preact.js\""),
                "uplot.js", () -> load(uplot + "uPlot.esm.js", "js"),
                "uplot.css", () -> load(uplot + "uPlot.min.css", "css"));
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        exchange.putAttachment(UiCookies.OVER_TLS, this::overTls);
        String path = exchange.getRequestPath();
        if (path.startsWith(UiCookies.AUTH_PATH)) {
            auth.handleRequest(exchange);
            return;
        }
        securityHeaders(exchange);
        if (!Methods.GET.equals(exchange.getRequestMethod()) && !Methods.HEAD.equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            text(exchange, 405, "the web UI takes GET; the API is POST /rpc/...");
            return;
        }
        Asset a;
        if (path.equals("/") || path.equals("/index.html")) {
            UiCookies.ensureCsrf(exchange);
            a = cache.computeIfAbsent("index.html", k -> load(ROOT + "index.html", "html"));
        } else if (path.startsWith("/ui/vendor/")) {
            Supplier<Asset> s = vendor.get(path.substring("/ui/vendor/".length()));
            a = s == null ? null : cache.computeIfAbsent(path, k -> s.get());
        } else if (path.startsWith("/ui/app/") && ASSET.matcher(path.substring("/ui/app/".length())).matches()) {
            String name = path.substring("/ui/app/".length());
            a = cache.computeIfAbsent(name, k -> {
                String ext = k.substring(k.lastIndexOf('.') + 1);
                return WebUi.class.getClassLoader().getResource(ROOT + k) == null ? null : load(ROOT + k, ext);
            });
        } else if (path.equals("/favicon.ico")) {
            exchange.getResponseHeaders().put(Headers.LOCATION, "/ui/app/icon.svg");
            exchange.setStatusCode(301);
            exchange.endExchange();
            return;
        } else {
            a = null;
        }
        if (a == null) {
            text(exchange, 404, "not found: " + path + " (the web UI is at /)");
            return;
        }
        serve(exchange, a);
    }

    /**
     * Whether the browser used TLS: this listener's own scheme, or {@code X-Forwarded-Proto:
     * https} from a trusted proxy (the first value: the scheme the first proxy was reached by).
     * The header from any other peer is ignored.
     */
    boolean overTls(HttpServerExchange exchange) {
        if ("https".equalsIgnoreCase(exchange.getRequestScheme())) {
            return true;
        }
        String proto = exchange.getRequestHeaders().getFirst(X_FORWARDED_PROTO);
        if (proto == null) {
            return false;
        }
        int comma = proto.indexOf(',');
        String first = (comma < 0 ? proto : proto.substring(0, comma)).strip();
        return "https".equalsIgnoreCase(first) && trustedProxy.test(RpcHandler.client(exchange));
    }

    /** Headers every UI response carries, errors included. */
    static void securityHeaders(HttpServerExchange exchange) {
        var h = exchange.getResponseHeaders();
        h.put(new HttpString("Content-Security-Policy"), CSP);
        h.put(new HttpString("X-Content-Type-Options"), "nosniff");
        h.put(new HttpString("X-Frame-Options"), "DENY");
        h.put(new HttpString("Referrer-Policy"), "no-referrer");
        h.put(new HttpString("Cross-Origin-Opener-Policy"), "same-origin");
        h.put(new HttpString("Cross-Origin-Resource-Policy"), "same-origin");
    }

    private static void serve(HttpServerExchange exchange, Asset a) {
        // Revalidated on every load: a node upgraded in place must never run yesterday's modules.
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
        exchange.getResponseHeaders().put(Headers.ETAG, a.etag());
        String inm = exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH);
        if (a.etag().equals(inm)) {
            exchange.setStatusCode(304);
            exchange.endExchange();
            return;
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, a.type());
        if (Methods.HEAD.equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, a.data().length);
            exchange.endExchange();
            return;
        }
        exchange.getResponseSender().send(ByteBuffer.wrap(a.data()));
    }

    private static void text(HttpServerExchange exchange, int status, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(body);
    }

    private static Asset load(String resource, String ext) {
        try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new TiyiException("web UI resource " + resource + " is missing from the jar");
            }
            byte[] data = in.readAllBytes();
            return new Asset(data, TYPES.get(ext), "\"" + io.tiyi.crypto.Sha256.hex(data).substring(0, 20) + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Asset rewrite(Asset a, String from, String to) {
        String s = new String(a.data(), StandardCharsets.UTF_8);
        if (!s.contains(from)) {
            throw new TiyiException("web UI: the vendored module no longer contains " + from + "; its WebJar changed form");
        }
        byte[] data = s.replace(from, to).getBytes(StandardCharsets.UTF_8);
        return new Asset(data, a.type(), "\"" + io.tiyi.crypto.Sha256.hex(data).substring(0, 20) + "\"");
    }
}
