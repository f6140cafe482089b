package io.tiyi.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.tiyi.auth.Caller;
import io.tiyi.auth.Sessions;
import io.tiyi.client.rpc.Empty;
import io.tiyi.internal.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /rpc/tiyi.v1.<Service>/<Method>}: JSON in, JSON out, errors as
 * {@code {"code": "...", "message": "..."}} with a fitting HTTP status.
 *
 * <p>Callers authenticate with {@code Authorization: Bearer} (the CLI, scripts) or with the web
 * UI's session cookie plus its CSRF header ({@link UiCookies}).
 *
 * <p>Order of checks: method and path, then the bearer token (so an unauthenticated call learns
 * nothing about the request it sent), then the caller's role, then the body (size limit, unknown
 * fields refused by name), then the call itself on a worker thread.
 */
public final class RpcHandler implements HttpHandler {
    /** Largest request body accepted. */
    public static final int MAX_BODY = 1 << 20;
    /** Longest a long poll (bundles, replication) waits before answering "unchanged". */
    public static final Duration MAX_WAIT = Duration.ofSeconds(55);
    private static final Logger LOG = LoggerFactory.getLogger(RpcHandler.class);

    private final RpcRegistry registry;
    private final Sessions sessions;
    private final Function<String, Optional<String>> agents;
    private final java.util.function.Supplier<String> notPrimary;

    /**
     * @param agents the agent id of an agent credential, empty when it is unknown or revoked
     * @param notPrimary why this node takes no changes now (with the primary's address), or null when it does
     */
    public RpcHandler(RpcRegistry registry, Sessions sessions, Function<String, Optional<String>> agents,
            java.util.function.Supplier<String> notPrimary) {
        this.registry = registry;
        this.sessions = sessions;
        this.agents = agents;
        this.notPrimary = notPrimary;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        exchange.startBlocking();
        Object response;
        try {
            response = handle(exchange);
        } catch (RuntimeException e) {
            fail(exchange, e);
            return;
        }
        if (response instanceof CompletionStage<?> later) {
            // A long poll: no thread waits; the answer is sent from a worker when it completes.
            exchange.dispatch(SameThreadExecutor.INSTANCE, () -> later.whenComplete((v, err) -> exchange.getConnection().getWorker().execute(() -> {
                if (err != null) {
                    fail(exchange, err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err);
                } else {
                    send(exchange, 200, v == null ? Empty.INSTANCE : v);
                }
            })));
            return;
        }
        send(exchange, 200, response);
    }

    static void fail(HttpServerExchange exchange, Throwable e) {
        if (e instanceof TiyiException t) {
            send(exchange, t.code().httpStatus(), error(t.code(), t.getMessage()));
        } else {
            String ref = UUID.randomUUID().toString().substring(0, 8);
            LOG.error("RPC {} failed (ref {}): {}", exchange.getRelativePath(), ref, e.toString(), e);
            send(exchange, 500, error(ErrorCode.INTERNAL, "internal error; see the node's log for ref " + ref));
        }
    }

    private Object handle(HttpServerExchange exchange) {
        String name = exchange.getRelativePath().startsWith("/") ? exchange.getRelativePath().substring(1) : exchange.getRelativePath();
        if (!Methods.POST.equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
            throw new TiyiException(ErrorCode.INVALID_ARGUMENT, "RPC methods take POST, got " + exchange.getRequestMethod());
        }
        RpcMethod<?> m = registry.find(name).orElseThrow(() -> new TiyiException(ErrorCode.UNIMPLEMENTED,
                "unknown RPC method '" + name + "'"));
        Caller caller = null;
        String agentId = null;
        if (m.access() == Access.AGENT) {
            agentId = authenticateAgent(exchange);
        } else if (m.access() != Access.PUBLIC) {
            caller = authenticate(exchange);
            if (!caller.role().atLeast(m.access().role())) {
                throw TiyiException.permissionDenied(m.service() + "/" + m.method() + " needs role " + m.access().role().wireName()
                        + "; you are " + caller.role().wireName());
            }
            if (caller.mustChangePassword() && !m.beforePasswordChange()) {
                throw TiyiException.permissionDenied("password change required: set a new password for '" + caller.name()
                        + "' first (tiyi users set-password --name " + caller.name() + ")");
            }
        }
        if (m.mutating()) {
            String refusal = notPrimary.get();
            if (refusal != null) {
                throw TiyiException.failedPrecondition(refusal);
            }
        }
        String ct = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (ct != null && !ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw TiyiException.invalid("RPC requests are JSON: send content-type application/json, got " + ct);
        }
        return call(m, new RpcContext(caller, client(exchange), agentId), readBody(exchange, registry.maxBody(m.fullName())));
    }

    private <Q> Object call(RpcMethod<Q> m, RpcContext ctx, byte[] body) {
        Q request = parse(m, body);
        Object out = m.handler().call(ctx, request);
        return out == null ? Empty.INSTANCE : out;
    }

    private Caller authenticate(HttpServerExchange exchange) {
        String h = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (h == null || h.isBlank()) {
            String session = UiCookies.value(exchange, UiCookies.SESSION);
            if (session != null) {
                return UiCookies.authenticate(exchange, sessions, session);
            }
            throw TiyiException.unauthenticated("authentication required: send Authorization: Bearer <token> (tiyi login)");
        }
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() <= 7) {
            throw TiyiException.unauthenticated("Authorization header must be 'Bearer <token>'");
        }
        return sessions.authenticate(h.substring(7).trim());
    }

    private String authenticateAgent(HttpServerExchange exchange) {
        String h = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() <= 7) {
            throw TiyiException.unauthenticated("agent credential required: send Authorization: Bearer <agent credential>");
        }
        return agents.apply(h.substring(7).trim()).orElseThrow(() -> TiyiException.unauthenticated(
                "agent credential is not valid: unknown or revoked agent; re-enroll it with a new token (tiyi agents issue-token)"));
    }

    private static byte[] readBody(HttpServerExchange exchange, int max) {
        long declared = exchange.getRequestContentLength();
        if (declared > max) {
            throw new TiyiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body of " + declared + " bytes exceeds the limit of " + max);
        }
        try (InputStream in = exchange.getInputStream()) {
            if (declared >= 0) {
                // Known length: one array of that size, not readNBytes' chunks copied together (uploads are large).
                byte[] b = new byte[(int) declared];
                int n = in.readNBytes(b, 0, b.length);
                if (n != b.length || in.read() != -1) {
                    throw TiyiException.invalid("request body does not match its Content-Length of " + declared);
                }
                return b;
            }
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new TiyiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body exceeds the limit of " + max + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw TiyiException.invalid("cannot read request body: " + e.getMessage());
        }
    }

    private static <Q> Q parse(RpcMethod<Q> m, byte[] body) {
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            return Json.MAPPER.readValue(body, m.requestType());
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "));
            throw TiyiException.invalid("unknown field '" + e.getPropertyName() + "' in " + m.fullName() + " request"
                    + (known.isEmpty() ? " (it takes no fields)" : " (fields: " + known + ")"));
        } catch (MismatchedInputException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]" : r.getFieldName())
                    .collect(Collectors.joining("."));
            throw TiyiException.invalid(field.isEmpty() ? m.fullName() + " request must be a JSON object"
                    : "field '" + field + "' of " + m.fullName() + " has the wrong type");
        } catch (JsonProcessingException e) {
            throw TiyiException.invalid("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw TiyiException.invalid("cannot read request body: " + e.getMessage());
        }
    }

    static String client(HttpServerExchange exchange) {
        InetSocketAddress a = exchange.getSourceAddress();
        return a == null || a.getAddress() == null ? "unknown" : a.getAddress().getHostAddress();
    }

    static Map<String, String> error(ErrorCode code, String message) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("code", code.wireName());
        m.put("message", message);
        return m;
    }

    static void send(HttpServerExchange exchange, int status, Object body) {
        if (exchange.isResponseStarted()) {
            return;
        }
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseHeaders().put(new HttpString("X-Content-Type-Options"), "nosniff");
        if (body instanceof RawBody raw) {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/octet-stream");
            exchange.getResponseHeaders().put(new HttpString("X-Tiyi-Sha256"), raw.sha256());
            exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(raw.data()));
            return;
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(Json.write(body));
    }

    @Override
    public String toString() {
        return "rpc(" + registry.all().size() + " methods)";
    }
}
