package io.tiyi.api;

import java.util.Objects;

/**
 * One RPC method: {@code POST /rpc/tiyi.v1.<service>/<method>}.
 *
 * @param service service name, for example {@code UsersService}
 * @param method method name, for example {@code Create}
 * @param access the least role that may call it
 * @param mutating true when it changes state; viewers may call it only when it is self-service
 * @param selfService true when it acts only on the caller's own account (change own password)
 * @param beforePasswordChange true when a user who must change its password may still call it
 * @param requestType the JSON request record
 * @param handler the implementation
 * @param <Q> request type
 */
public record RpcMethod<Q>(String service, String method, Access access, boolean mutating, boolean selfService, boolean beforePasswordChange,
        Class<Q> requestType, Handler<Q> handler) {

    /** The implementation of a method. */
    @FunctionalInterface
    public interface Handler<Q> {
        /** Returns a JSON-encodable response. */
        Object call(RpcContext ctx, Q request);
    }

    public RpcMethod {
        Objects.requireNonNull(service);
        Objects.requireNonNull(method);
        Objects.requireNonNull(access);
        Objects.requireNonNull(requestType);
        Objects.requireNonNull(handler);
        if (mutating && access == Access.VIEWER && !selfService) {
            throw new IllegalArgumentException(service + "/" + method + ": a mutating method must need more than viewer");
        }
    }

    /** {@code tiyi.v1.UsersService/Create}. */
    public String fullName() {
        return RpcRegistry.PREFIX + service + "/" + method;
    }
}
