package io.tiyi.client.rpc;

import java.util.Objects;

/**
 * One method of the RPC API, {@code POST /rpc/tiyi.v1.<service>/<method>}, with the types it takes
 * and answers. The server registers its handler under it and clients call it with it, so a
 * method's name and types are written once.
 *
 * @param service service name, for example {@code UsersService}
 * @param method method name, for example {@code Create}
 * @param requestType the JSON request record
 * @param responseType what the answer is read as; {@link com.fasterxml.jackson.databind.JsonNode} where
 *     the server answers with its own model, which the wire package does not hold
 * @param <Q> request type
 * @param <R> response type
 */
public record Rpc<Q, R>(String service, String method, Class<Q> requestType, Class<R> responseType) {
    /** Package prefix of every service. */
    public static final String PREFIX = "tiyi.v1.";

    public Rpc {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(requestType, "requestType");
        Objects.requireNonNull(responseType, "responseType");
    }

    /** A method of {@code service}. */
    public static <Q, R> Rpc<Q, R> of(String service, String method, Class<Q> requestType, Class<R> responseType) {
        return new Rpc<>(service, method, requestType, responseType);
    }

    /** {@code tiyi.v1.UsersService/Create}. */
    public String fullName() {
        return PREFIX + service + "/" + method;
    }

    @Override
    public String toString() {
        return fullName();
    }
}
