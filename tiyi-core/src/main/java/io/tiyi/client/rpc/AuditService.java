package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code tiyi.v1.AuditService}: the audit log. */
public final class AuditService {
    /** The service's name. */
    public static final String NAME = "AuditService";

    private AuditService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    /**
     * Entries older than {@code beforeId}, newest first. {@code actor} is exact, {@code action} a
     * prefix ({@code sites.}) and {@code target} a substring, both ignoring case; blank is no filter.
     */
    public record ListRequest(Integer limit, Long beforeId, String actor, String action, String target) {}

    public static final Rpc<ListRequest, JsonNode> LIST = rpc("List", ListRequest.class);
    /**
     * @param witness also compare the chain with the audit checkpoints agents hold and reported;
     *     null or false checks the chain and its agreement with {@code mutation_log} only
     */
    public record VerifyRequest(Boolean witness) {}

    public static final Rpc<VerifyRequest, JsonNode> VERIFY_CHAIN = rpc("VerifyChain", VerifyRequest.class);
}
