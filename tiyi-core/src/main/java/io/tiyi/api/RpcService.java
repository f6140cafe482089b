package io.tiyi.api;

/**
 * A service of the RPC API ({@code tiyi.v1.<Service>}): a feature registers its own typed
 * methods, and a node registers the features it runs.
 */
public interface RpcService {
    /** Adds this service's methods to {@code registry}. */
    void register(RpcRegistry registry);
}
