package io.tiyi.api;

import io.tiyi.TiyiVersion;
import io.tiyi.client.rpc.SystemService;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code tiyi.v1.SystemService/Status}: what the node is and how it runs. The service's other
 * methods belong to the features they act on: settings, and the cluster's Promote, Demote and
 * ResumeWrites.
 */
public final class SystemRpc implements RpcService {
    record Status(String phase, String role, long epoch, boolean readOnly, long lastSeq, String nodeId, String version, String commit,
            long uptimeSeconds, long lag, String primaryApi, String readOnlyReason) {}

    private final Supplier<NodeStatus> status;
    private final long startedAt;

    /** @param startedAt when the node started, ms */
    public SystemRpc(Supplier<NodeStatus> status, long startedAt) {
        this.status = status;
        this.startedAt = startedAt;
    }

    @Override
    public void register(RpcRegistry r) {
        r.query(SystemService.STATUS, Access.VIEWER, (ctx, q) -> {
            NodeStatus s = status.get();
            return new Status(s.phase().name().toLowerCase(Locale.ROOT), s.role(), s.epoch(), s.readOnly(), s.lastSeq(),
                    s.nodeId(), TiyiVersion.version(), TiyiVersion.commit(), (System.currentTimeMillis() - startedAt) / 1000, s.lag(),
                    s.primaryApi(), s.readOnlyReason());
        });
    }
}
