package io.tiyi.api;

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
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /rpc/tiyi.v1.<Service>/<Method>}: JSON in, JSON out, errors as
 * {@code {"code": "...", "message": "..."}} with a fitting HTTP status.
 *
 * <p>Callers authenticate with {@code Authorization: Bearer} (the CLI, scripts) or with the web
 * UI's session cookie plus its CSRF header ({@link UiCookies}).
 *
 * <p>Order of checks: method and path, and for the methods anyone may call the per-client rate
 * limit ({@link ClientRateLimit}), all on the I/O thread; then on a worker the bearer token (so an
 * unauthenticated call learns nothing about the request it sent), the caller's role, the content
 * type and the declared size. Only then is the body read, by the I/O thread as it arrives
 * ({@link BodyReader}), so that a slow client never holds a worker; the complete body is parsed
 * ({@link JsonRequest}: one JSON object, unknown fields and wrong types refused by name) and the
 * call runs on a worker.
 *
 * <p>A state-changing call that an authenticated user made and that was refused with a client
 * error is reported to {@link RefusedCalls}, so the audit log shows attempts as well as changes.
 */
public final class RpcHandler implements HttpHandler {
    /** Largest request body accepted. */
    public static final int MAX_BODY = 1 << 20;
    /** Longest a long poll (bundles, replication) waits before answering "unchanged". */
    public static final Duration MAX_WAIT = Duration.ofSeconds(55);
    private static final Logger LOG = LoggerFactory.getLogger(RpcHandler.class);
    /** Longest refusal reason kept in the audit log; the caller got the whole message. */
    private static final int MAX_AUDITED_REASON = 500;

    private final RpcRegistry registry;
    private final Sessions sessions;
    private final Function<String, Optional<AgentIdentity>> agents;
    private final java.util.function.Supplier<String> notPrimary;
    private final RefusedCalls refusals;

    /**
     * @param agents the agent behind an agent credential, empty when it is unknown or revoked
     * @param notPrimary why this node takes no changes now (with the primary's address), or null when it does
     */
    public RpcHandler(RpcRegistry registry, Sessions sessions, Function<String, Optional<AgentIdentity>> agents,
            java.util.function.Supplier<String> notPrimary) {
        this(registry, sessions, agents, notPrimary, RefusedCalls.NONE);
    }

    /**
     * @param agents the agent behind an agent credential, empty when it is unknown or revoked
     * @param notPrimary why this node takes no changes now (with the primary's address), or null when it does
     * @param refusals told of state-changing calls refused to an authenticated user, on a node that takes changes
     */
    public RpcHandler(RpcRegistry registry, Sessions sessions, Function<String, Optional<AgentIdentity>> agents,
            java.util.function.Supplier<String> notPrimary, RefusedCalls refusals) {
        this.registry = registry;
        this.sessions = sessions;
        this.agents = agents;
        this.notPrimary = notPrimary;
        this.refusals = refusals;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        RpcMethod<?> m;
        try {
            m = method(exchange);
            if (m.access() == Access.PUBLIC) {
                ClientRateLimit.admit(exchange, "unauthenticated");
            }
        } catch (RuntimeException e) {
            fail(exchange, e);
            return;
        }
        if (exchange.isInIoThread()) {
            exchange.dispatch(ex -> admit(ex, m));
        } else {
            admit(exchange, m);
        }
    }

    private RpcMethod<?> method(HttpServerExchange exchange) {
        String name = exchange.getRelativePath().startsWith("/") ? exchange.getRelativePath().substring(1) : exchange.getRelativePath();
        if (!Methods.POST.equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
            throw TiyiException.invalid("RPC methods take POST, got " + exchange.getRequestMethod());
        }
        return registry.find(name).orElseThrow(() -> new TiyiException(ErrorCode.UNIMPLEMENTED, "unknown RPC method '" + name + "'"));
    }

    /** On a worker: who calls, whether they may, then the body is read without a worker. */
    private void admit(HttpServerExchange exchange, RpcMethod<?> m) {
        Caller caller = null;
        String agentId = null;
        try {
            if (m.access() == Access.AGENT || m.access() == Access.SECONDARY) {
                agentId = authenticateAgent(exchange, m);
            } else if (m.access() != Access.PUBLIC) {
                caller = authenticate(exchange);
            }
        } catch (RuntimeException e) {
            fail(exchange, e);
            return;
        }
        RpcContext ctx = new RpcContext(caller, client(exchange), agentId);
        try {
            allowed(exchange, m, caller);
            BodyReader.read(exchange, registry.maxBody(m.fullName()), body -> exchange.dispatch(ex -> run(ex, m, ctx, body)),
                    tooLarge -> exchange.dispatch(ex -> refuse(ex, m, ctx, tooLarge)));
        } catch (RuntimeException e) {
            refuse(exchange, m, ctx, e);
        }
    }

    private void allowed(HttpServerExchange exchange, RpcMethod<?> m, Caller caller) {
        if (caller != null) {
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
    }

    /** On a worker, with the whole body: the call itself. */
    private void run(HttpServerExchange exchange, RpcMethod<?> m, RpcContext ctx, byte[] body) {
        Object response;
        try {
            response = call(m, ctx, body);
        } catch (RuntimeException e) {
            refuse(exchange, m, ctx, e);
            return;
        }
        if (response instanceof CompletionStage<?> later) {
            // A long poll: no thread waits; the answer is sent from a worker when it completes.
            exchange.dispatch(SameThreadExecutor.INSTANCE, () -> later.whenComplete((v, err) -> exchange.getConnection().getWorker().execute(() -> {
                if (err != null) {
                    refuse(exchange, m, ctx, err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err);
                } else {
                    send(exchange, 200, v == null ? Empty.INSTANCE : v);
                }
            })));
            return;
        }
        send(exchange, 200, response);
    }

    /** Answers a failed call; a refused change by a user is reported first. */
    private void refuse(HttpServerExchange exchange, RpcMethod<?> m, RpcContext ctx, Throwable e) {
        if (e instanceof TiyiException t && m.mutating() && ctx.caller() != null && refusedByRule(t.code()) && notPrimary.get() == null) {
            String reason = t.getMessage() == null ? "" : t.getMessage();
            try {
                refusals.refused(ctx.actor(), m.service() + "/" + m.method(), t.code(),
                        reason.length() > MAX_AUDITED_REASON ? reason.substring(0, MAX_AUDITED_REASON) + "..." : reason);
            } catch (RuntimeException auditFailed) {
                LOG.warn("audit: could not record the refused call {} by {}: {}; the caller still got its error; check the state writer",
                        m.fullName(), ctx.actor(), auditFailed.toString());
            }
        }
        fail(exchange, e);
    }

    /** A client error other than a missing or bad credential, which names nobody. */
    private static boolean refusedByRule(ErrorCode code) {
        return code.httpStatus() >= 400 && code.httpStatus() < 500 && code != ErrorCode.UNAUTHENTICATED;
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

    private <Q> Object call(RpcMethod<Q> m, RpcContext ctx, byte[] body) {
        Q request = JsonRequest.read(body, m.requestType(), m.fullName());
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

    private String authenticateAgent(HttpServerExchange exchange, RpcMethod<?> m) {
        String h = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() <= 7) {
            throw TiyiException.unauthenticated("agent credential required: send Authorization: Bearer <agent credential>");
        }
        AgentIdentity a = agents.apply(h.substring(7).trim()).orElseThrow(() -> TiyiException.unauthenticated(
                "agent credential is not valid: unknown or revoked agent; re-enroll it with a new token (tiyi agents issue-token)"));
        if (m.access() == Access.SECONDARY && !a.secondary()) {
            throw TiyiException.permissionDenied(m.service() + "/" + m.method() + " is for a secondary (an agent enrolled with --tag "
                    + AgentIdentity.SECONDARY_TAG + "); agent " + a.id() + " is not one");
        }
        return a.id();
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
            if (raw.sha256() != null) {
                exchange.getResponseHeaders().put(new HttpString("X-Tiyi-Sha256"), raw.sha256());
            }
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
