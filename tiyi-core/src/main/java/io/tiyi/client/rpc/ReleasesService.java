package io.tiyi.client.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** {@code tiyi.v1.ReleasesService}: release tarballs and their rollout to agents. */
public final class ReleasesService {
    /** The service's name. */
    public static final String NAME = "ReleasesService";

    private ReleasesService() {}

    private static <Q> Rpc<Q, JsonNode> rpc(String method, Class<Q> request) {
        return Rpc.of(NAME, method, request, JsonNode.class);
    }

    /**
     * A release tarball, base64 in JSON; {@code TiyiClient.callWithFile} streams it from disk.
     * {@code sha256}, when given, is the tarball's SHA-256 as its publisher lists it: another
     * tarball is refused.
     */
    public record ImportRequest(byte[] tarball, String sha256) {}

    /** {@code release} is an id or a version. */
    public record DeleteRequest(String release) {}

    public record ApplyRequest(String release, List<String> agentIds) {}

    public record RollbackRequest(List<String> agentIds) {}

    public record RunsRequest(Integer limit) {}

    public record DownloadRequest(String sha256) {}

    /** {@code filter} matches a release id or version. */
    public record ListRequest(String filter, Integer offset, Integer limit) {}

    public static final Rpc<ImportRequest, JsonNode> IMPORT = rpc("Import", ImportRequest.class);
    public static final Rpc<ListRequest, JsonNode> LIST = rpc("List", ListRequest.class);
    public static final Rpc<DeleteRequest, JsonNode> DELETE = rpc("Delete", DeleteRequest.class);
    public static final Rpc<ApplyRequest, JsonNode> APPLY = rpc("Apply", ApplyRequest.class);
    public static final Rpc<RollbackRequest, JsonNode> ROLLBACK = rpc("Rollback", RollbackRequest.class);
    public static final Rpc<RunsRequest, JsonNode> RUNS = rpc("Runs", RunsRequest.class);
    /** Answers with the artifact's bytes: read it with {@code TiyiClient.download}. */
    public static final Rpc<DownloadRequest, JsonNode> DOWNLOAD = rpc("Download", DownloadRequest.class);
}
