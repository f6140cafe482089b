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

    /**
     * @param kekFingerprint the fingerprint of the KEK that sealed the database's secrets
     * @param seq the last mutation the snapshot holds
     * @param epoch the primary's epoch
     * @param db the state database
     */
    public record SnapshotResponse(String kekFingerprint, long seq, long epoch, byte[] db) {}

    public record BlobResponse(String sha256, long size, byte[] data) {}

    public static final Rpc<Empty, SnapshotResponse> SNAPSHOT = Rpc.of(NAME, "Snapshot", Empty.class, SnapshotResponse.class);
    public static final Rpc<PullRequest, JsonNode> PULL = rpc("Pull", PullRequest.class);
    public static final Rpc<Empty, JsonNode> STATUS = rpc("Status", Empty.class);
    public static final Rpc<BlobRequest, BlobResponse> BLOB = Rpc.of(NAME, "Blob", BlobRequest.class, BlobResponse.class);
    public static final Rpc<Empty, JsonNode> UNDEMOTE = rpc("Undemote", Empty.class);
    public static final Rpc<PromotedRequest, JsonNode> PROMOTED = rpc("Promoted", PromotedRequest.class);
}
