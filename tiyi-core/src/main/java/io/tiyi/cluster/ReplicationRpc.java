package io.tiyi.cluster;

import io.tiyi.TiyiException;
import io.tiyi.api.Access;
import io.tiyi.api.RawBody;
import io.tiyi.api.RpcContext;
import io.tiyi.api.RpcHandler;
import io.tiyi.api.RpcMethod;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.SystemRpc;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.ReplicationService;
import io.tiyi.client.rpc.ReplicationService.PromotedRequest;
import io.tiyi.client.rpc.ReplicationService.PullRequest;
import io.tiyi.client.rpc.ReplicationService.SnapshotResponse;
import io.tiyi.client.rpc.SystemService;
import io.tiyi.client.rpc.SystemService.DemoteRequest;
import io.tiyi.client.rpc.SystemService.PromoteRequest;
import io.tiyi.client.rpc.SystemService.ResumeRequest;
import io.tiyi.store.Blobs;
import io.tiyi.store.LogEntry;
import java.time.Duration;
import java.util.List;

/**
 * {@code tiyi.v1.ReplicationService}: what a secondary asks of the node it follows (a snapshot and
 * blobs, read by range as raw bytes, the mutation log by long poll, the two-phase handover, whose first phase is
 * {@code SystemService/Demote}), and what any enrolled node may ask of a peer (its role and
 * epoch). Callers authenticate with their agent credential; all but Status need an agent enrolled
 * with the {@code secondary} tag, except SeedSnapshot and SeedRange, which a new secondary calls
 * with its enrollment token before it enrolls. Also the operator's side of a change of role:
 * {@code SystemService/Promote} and {@code SystemService/ResumeWrites}.
 */
final class ReplicationRpc {

    record PullResponse(List<LogEntry> entries, long lastSeq, long epoch, String role, boolean readOnly) {}

    private ReplicationRpc() {}

    static void register(RpcRegistry r, ClusterRole role, Blobs blobs) {
        ReplicationSource source = role.replication();
        r.query(ReplicationService.SNAPSHOT, Access.SECONDARY, (ctx, q) -> snapshot(role, source));
        r.query(ReplicationService.SNAPSHOT_RANGE, Access.SECONDARY, (ctx, q) -> range(source, q.id(), q.offset(), q.length()));
        // A new secondary is not enrolled yet: its unspent token stands for the credential, so that a
        // failed transfer or a KEK mismatch spends nothing and enrolls nobody.
        r.query(ReplicationService.SEED_SNAPSHOT, Access.PUBLIC, (ctx, q) -> {
            role.fleet().checkSecondaryToken(q.enrollmentToken());
            return snapshot(role, source);
        });
        r.query(ReplicationService.SEED_RANGE, Access.PUBLIC, (ctx, q) -> {
            role.fleet().checkSecondaryToken(q.enrollmentToken());
            return range(source, RpcMethod.required(q.id(), "id"), q.offset(), q.length());
        });
        r.query(ReplicationService.PULL, Access.SECONDARY, (ctx, q) -> {
            long ms = q.timeoutMs() == null ? 25_000 : q.timeoutMs();
            int limit = q.limit() == null ? 500 : q.limit();
            if (ms < 0 || ms > RpcHandler.MAX_WAIT.toMillis() || limit < 1 || limit > 5_000) {
                throw TiyiException.invalid("timeout_ms must be 0 to " + RpcHandler.MAX_WAIT.toMillis() + " and limit 1 to 5000");
            }
            source.followers().pulled(ctx.agentId(), q.afterSeq());
            return source.pull(q.afterSeq(), limit, Duration.ofMillis(ms)).thenApply(entries -> {
                ClusterRole.PeerStatus st = role.status();
                return new PullResponse(entries, st.lastSeq(), st.epoch(), st.role(), st.readOnly());
            });
        });
        r.query(ReplicationService.STATUS, Access.AGENT, (ctx, q) -> role.status());
        r.query(ReplicationService.BLOB, Access.SECONDARY, (ctx, q) -> {
            String sha = RpcMethod.required(q.sha256(), "sha256");
            long offset = q.offset() == null ? 0 : q.offset();
            int length = q.length() == null ? SnapshotFiles.MAX_RANGE : q.length();
            if (offset < 0 || length < 1 || length > SnapshotFiles.MAX_RANGE) {
                throw TiyiException.invalid("offset must be 0 or more and length 1 to " + SnapshotFiles.MAX_RANGE + ", got " + offset + " and "
                        + length);
            }
            return new RawBody(blobs.read(sha, offset, length), sha);
        });
        // The production guide's name for phase one of the handover.
        r.query(SystemService.DEMOTE, Access.SECONDARY, (ctx, q) -> {
            return role.demote(RpcMethod.required(q.newPrimaryApi(), "new_primary_api"));
        });
        r.query(ReplicationService.UNDEMOTE, Access.SECONDARY, (ctx, q) -> {
            role.undemote();
            return null;
        });
        r.query(ReplicationService.PROMOTED, Access.SECONDARY, (ctx, q) -> {
            role.promoted(q.epoch(), RpcMethod.required(q.primaryApi(), "primary_api"));
            return null;
        });
        registerRoleChanges(r, role);
    }

    private static SnapshotResponse snapshot(ClusterRole role, ReplicationSource source) {
        SnapshotFiles.Snapshot s = source.snapshot();
        return new SnapshotResponse(role.kekFingerprint(), s.seq(), role.status().epoch(), s.id(), s.size(), s.sha256());
    }

    private static RawBody range(ReplicationSource source, String id, long offset, int length) {
        byte[] data = source.snapshotRange(RpcMethod.required(id, "id"), offset, length);
        return new RawBody(data, null);
    }

    /** Methods that change this node's role: no replicated mutations, and they must work on a read-only node. */
    private static void registerRoleChanges(RpcRegistry r, ClusterRole role) {
        r.query(SystemService.RESUME_WRITES, Access.ADMIN, (ctx, q) -> {
            if (q.yes() == null || !q.yes()) {
                throw TiyiException.failedPrecondition("not resumed: make sure no other primary serves this cluster (a restored backup may be"
                        + " older than the cluster), then run again with --yes");
            }
            return role.resumeWrites();
        });
        r.query(SystemService.PROMOTE, Access.ADMIN, (ctx, q) -> role.promote(q.force() != null && q.force()));
    }
}
