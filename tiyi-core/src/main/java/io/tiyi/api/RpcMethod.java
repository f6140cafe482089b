package io.tiyi.api;

import io.tiyi.TiyiException;
import io.tiyi.client.rpc.Rpc;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One RPC method as a node serves it: a {@link Rpc} descriptor of the shared contract with its
 * access rule and implementation. Made with {@link #query} or {@link #mutation}, and
 * {@link #allowing} the exceptions a few methods need.
 *
 * @param service service name, for example {@code UsersService}
 * @param method method name, for example {@code Create}
 * @param access the least role that may call it
 * @param effect whether it changes state
 * @param options the exceptions it is allowed
 * @param requestType the JSON request record
 * @param handler the implementation
 * @param <Q> request type
 */
public record RpcMethod<Q>(String service, String method, Access access, Effect effect, Set<Option> options, Class<Q> requestType,
        Handler<Q> handler) {

    /** The implementation of a method. */
    @FunctionalInterface
    public interface Handler<Q> {
        /** Returns a JSON-encodable response. */
        Object call(RpcContext ctx, Q request);
    }

    /** Whether a method changes state. */
    public enum Effect {
        /** Reads only; a read-only node serves it. */
        QUERY,
        /** Changes state; viewers may call it only when it is self-service. */
        MUTATION
    }

    /** Exceptions to the rules a caller's role and state impose. */
    public enum Option {
        /** It acts only on the caller's own account (change own password), so a viewer may call it although it mutates. */
        SELF_SERVICE,
        /** A user who must change its password may still call it. */
        BEFORE_PASSWORD_CHANGE
    }

    public RpcMethod {
        Objects.requireNonNull(service);
        Objects.requireNonNull(method);
        Objects.requireNonNull(access);
        Objects.requireNonNull(effect);
        options = options.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(options));
        Objects.requireNonNull(requestType);
        Objects.requireNonNull(handler);
    }

    /** {@code rpc}, which reads only. */
    public static <Q> RpcMethod<Q> query(Rpc<Q, ?> rpc, Access access, Handler<Q> handler) {
        return new RpcMethod<>(rpc.service(), rpc.method(), access, Effect.QUERY, Set.of(), rpc.requestType(), handler);
    }

    /** {@code rpc}, which changes state. */
    public static <Q> RpcMethod<Q> mutation(Rpc<Q, ?> rpc, Access access, Handler<Q> handler) {
        return new RpcMethod<>(rpc.service(), rpc.method(), access, Effect.MUTATION, Set.of(), rpc.requestType(), handler);
    }

    /** This method with {@code more} options. */
    public RpcMethod<Q> allowing(Option... more) {
        EnumSet<Option> all = EnumSet.noneOf(Option.class);
        all.addAll(options);
        all.addAll(Set.of(more));
        return new RpcMethod<>(service, method, access, effect, all, requestType, handler);
    }

    /** Whether it changes state. */
    public boolean mutating() {
        return effect == Effect.MUTATION;
    }

    /** Whether it acts only on the caller's own account. */
    public boolean selfService() {
        return options.contains(Option.SELF_SERVICE);
    }

    /** Whether a user who must change its password may call it. */
    public boolean beforePasswordChange() {
        return options.contains(Option.BEFORE_PASSWORD_CHANGE);
    }

    /** {@code tiyi.v1.UsersService/Create}. */
    public String fullName() {
        return Rpc.PREFIX + service + "/" + method;
    }

    /**
     * A request field that must be given.
     *
     * @throws TiyiException {@code INVALID_ARGUMENT} naming the field when it is missing or blank
     */
    public static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw TiyiException.invalid(field + " is required");
        }
        return value;
    }
}
