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

    /**
     * A range of a blob; the answer is its bytes ({@code application/octet-stream}), fewer than
     * {@code length} at the blob's end and none past it.
     *
     * @param sha256 the blob
     * @param offset the first byte
     * @param length most bytes answered, up to 8 MiB
     */
    public record BlobRequest(String sha256, Long offset, Integer length) {}

    /**
     * A snapshot of the primary's state.db, taken once into a file on the primary and read by range.
     *
     * @param kekFingerprint the fingerprint of the KEK that sealed the database's secrets
     * @param seq the last mutation the snapshot holds
     * @param epoch the primary's epoch
     * @param id the snapshot, for {@link #SNAPSHOT_RANGE}
     * @param size its size in bytes
     * @param sha256 its SHA-256, lowercase hex
     */
    public record SnapshotResponse(String kekFingerprint, long seq, long epoch, String id, long size, String sha256) {}

    /**
     * A range of a snapshot; the answer is its bytes.
     *
     * @param id the snapshot {@link #SNAPSHOT} or {@link #SEED_SNAPSHOT} named
     * @param offset the first byte
     * @param length most bytes answered, up to 8 MiB
     */
    public record RangeRequest(String id, long offset, int length) {}

    /** A new secondary's request for a snapshot, before it enrolls: its enrollment token, which is checked and not spent. */
    public record SeedRequest(String enrollmentToken) {}

    /** {@link RangeRequest} for a new secondary, with its enrollment token. */
    public record SeedRangeRequest(String enrollmentToken, String id, long offset, int length) {}

    public static final Rpc<Empty, SnapshotResponse> SNAPSHOT = Rpc.of(NAME, "Snapshot", Empty.class, SnapshotResponse.class);
    public static final Rpc<RangeRequest, JsonNode> SNAPSHOT_RANGE = rpc("SnapshotRange", RangeRequest.class);
    public static final Rpc<SeedRequest, SnapshotResponse> SEED_SNAPSHOT = Rpc.of(NAME, "SeedSnapshot", SeedRequest.class,
            SnapshotResponse.class);
    public static final Rpc<SeedRangeRequest, JsonNode> SEED_RANGE = rpc("SeedRange", SeedRangeRequest.class);
    public static final Rpc<PullRequest, JsonNode> PULL = rpc("Pull", PullRequest.class);
    public static final Rpc<Empty, JsonNode> STATUS = rpc("Status", Empty.class);
    public static final Rpc<BlobRequest, JsonNode> BLOB = rpc("Blob", BlobRequest.class);
    public static final Rpc<Empty, JsonNode> UNDEMOTE = rpc("Undemote", Empty.class);
    public static final Rpc<PromotedRequest, JsonNode> PROMOTED = rpc("Promoted", PromotedRequest.class);
}
