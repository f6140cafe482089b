package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code tiyi.v1.BundlesService}: agents' long poll for bundles and rule archives, and the signing key. */
public final class BundlesService {
    /** The service's name. */
    public static final String NAME = "BundlesService";

    private BundlesService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    public record WatchRequest(long afterEpoch, long afterSeq, Long timeoutMs) {}

    public record RulesRequest(String hash) {}

    public record RotateRequest(Boolean yes) {}

    public static final Rpc<WatchRequest, JsonNode> WATCH = rpc("Watch", WatchRequest.class);
    public static final Rpc<RulesRequest, JsonNode> GET_RULES = rpc("GetRules", RulesRequest.class);
    public static final Rpc<Empty, JsonNode> STATUS = rpc("Status", Empty.class);
    public static final Rpc<RotateRequest, JsonNode> ROTATE_SIGNING_KEY = rpc("RotateSigningKey", RotateRequest.class);
}
