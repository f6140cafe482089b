package io.tiyi.api;

import io.tiyi.client.rpc.Rpc;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Every RPC method of a node, by full name. */
public final class RpcRegistry {
    /** Package prefix of every service. */
    public static final String PREFIX = Rpc.PREFIX;

    private final Map<String, RpcMethod<?>> methods = new LinkedHashMap<>();
    private final Map<String, Integer> bodyLimits = new LinkedHashMap<>();

    /** Serves {@code rpc}, which reads only. */
    public <Q> RpcRegistry query(Rpc<Q, ?> rpc, Access access, RpcMethod.Handler<Q> handler) {
        return add(RpcMethod.query(rpc, access, handler));
    }

    /** Serves {@code rpc}, which changes state. */
    public <Q> RpcRegistry mutation(Rpc<Q, ?> rpc, Access access, RpcMethod.Handler<Q> handler) {
        return add(RpcMethod.mutation(rpc, access, handler));
    }

    /** Adds every method of {@code service}. */
    public RpcRegistry register(RpcService service) {
        service.register(this);
        return this;
    }

    /** Adds one method; a name registered twice, or a mutating method open to viewers that is not self-service, is a programming error. */
    public RpcRegistry add(RpcMethod<?> m) {
        if (m.mutating() && m.access() == Access.VIEWER && !m.selfService()) {
            throw new IllegalArgumentException(m.service() + "/" + m.method() + ": a mutating method must need more than viewer");
        }
        if (methods.putIfAbsent(m.fullName(), m) != null) {
            throw new IllegalStateException("RPC method registered twice: " + m.fullName());
        }
        return this;
    }

    /** Lets one method take a request body larger than {@link RpcHandler#MAX_BODY} (an upload). */
    public RpcRegistry allowBody(Rpc<?, ?> rpc, int maxBytes) {
        String name = rpc.fullName();
        if (!methods.containsKey(name)) {
            throw new IllegalStateException("no RPC method " + name);
        }
        bodyLimits.put(name, maxBytes);
        return this;
    }

    /** The largest request body {@code fullName} accepts. */
    public int maxBody(String fullName) {
        return bodyLimits.getOrDefault(fullName, RpcHandler.MAX_BODY);
    }

    /** The method with {@code fullName} ({@code tiyi.v1.UsersService/Create}), if any. */
    public Optional<RpcMethod<?>> find(String fullName) {
        return Optional.ofNullable(methods.get(fullName));
    }

    /** Every method, in the order registered. */
    public Collection<RpcMethod<?>> all() {
        return Collections.unmodifiableCollection(methods.values());
    }
}
