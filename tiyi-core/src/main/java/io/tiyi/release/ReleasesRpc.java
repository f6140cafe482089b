package io.tiyi.release;

import io.tiyi.TiyiException;
import io.tiyi.api.Access;
import io.tiyi.api.Paging;
import io.tiyi.api.RawBody;
import io.tiyi.api.RpcMethod;
import io.tiyi.api.RpcRegistry;
import io.tiyi.client.rpc.ReleasesService;
import io.tiyi.client.rpc.ReleasesService.ApplyRequest;
import io.tiyi.client.rpc.ReleasesService.DownloadRequest;
import io.tiyi.client.rpc.ReleasesService.ImportRequest;
import io.tiyi.client.rpc.ReleasesService.ListRequest;
import io.tiyi.client.rpc.ReleasesService.RollbackRequest;
import io.tiyi.client.rpc.ReleasesService.RunsRequest;
import java.util.List;
import java.util.stream.Stream;

/** {@code tiyi.v1.ReleasesService}: release import and delete, rollouts to agents, rollback, and the artifact download agents use. */
final class ReleasesRpc {
    /**
     * A release tarball, base64 in JSON: up to 48 MiB of tarball, the most a primary under its
     * default 512 MiB heap imports safely. The import holds the upload, the decoded tarball and
     * the artifact at once: about 250 MiB at this size.
     */
    static final int MAX_IMPORT_BODY = 64 << 20;

    record ReleaseList(List<Releases.Release> releases, int total) {}

    record RunList(List<Releases.Rollout> runs) {}

    private ReleasesRpc() {}

    static void register(RpcRegistry r, Releases releases) {
        r.mutation(ReleasesService.IMPORT, Access.ADMIN, (ctx, q) -> {
            if (q.tarball() == null || q.tarball().length == 0) {
                throw TiyiException.invalid("tarball is required: the release tarball's bytes, base64");
            }
            return releases.importTarball(ctx.actor(), q.tarball(), q.sha256());
        });
        r.allowBody(ReleasesService.IMPORT, MAX_IMPORT_BODY);
        r.query(ReleasesService.LIST, Access.VIEWER, (ctx, q) -> {
            Paging.Page<Releases.Release> p = Paging.page(releases.list(), q.filter(), q.offset(), q.limit(),
                    x -> Stream.of(x.id(), x.version()));
            return new ReleaseList(p.items(), p.total());
        });
        r.mutation(ReleasesService.DELETE, Access.ADMIN, (ctx, q) -> releases.delete(ctx.actor(), RpcMethod.required(q.release(), "release")));
        r.mutation(ReleasesService.APPLY, Access.ADMIN, (ctx, q) -> releases.apply(ctx.actor(), RpcMethod.required(q.release(), "release"), q.agentIds()));
        r.mutation(ReleasesService.ROLLBACK, Access.ADMIN, (ctx, q) -> releases.rollback(ctx.actor(), q.agentIds()));
        r.query(ReleasesService.RUNS, Access.VIEWER, (ctx, q) -> {
            int limit = q.limit() == null ? 20 : q.limit();
            if (limit < 1 || limit > 1000) {
                throw TiyiException.invalid("limit must be 1 to 1000, got " + limit);
            }
            return new RunList(releases.runs(limit));
        });
        r.query(ReleasesService.DOWNLOAD, Access.AGENT, (ctx, q) -> {
            String sha = RpcMethod.required(q.sha256(), "sha256");
            return new RawBody(releases.artifact(ctx.agentId(), sha), sha);
        });
    }
}
