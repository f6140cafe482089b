package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code tiyi.v1.ReplicationService}: what a secondary asks of the node it follows, and any enrolled node of a peer. */
public final class ReplicationService {
    /** The service's name. */
    public static final String NAME = "ReplicationService";

    private ReplicationService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    public record PullRequest(long afterSeq, Long timeoutMs, Integer limit) {}

    public record PromotedRequest(long epoch, String primaryApi) {}

    public record BlobRequest(String sha256) {}

    public static final Rpc<Empty, JsonNode> SNAPSHOT = rpc("Snapshot", Empty.class);
    public static final Rpc<PullRequest, JsonNode> PULL = rpc("Pull", PullRequest.class);
    public static final Rpc<Empty, JsonNode> STATUS = rpc("Status", Empty.class);
    public static final Rpc<BlobRequest, JsonNode> BLOB = rpc("Blob", BlobRequest.class);
    public static final Rpc<Empty, JsonNode> UNDEMOTE = rpc("Undemote", Empty.class);
    public static final Rpc<PromotedRequest, JsonNode> PROMOTED = rpc("Promoted", PromotedRequest.class);
}
