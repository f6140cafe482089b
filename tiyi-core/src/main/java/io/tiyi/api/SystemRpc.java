package io.tiyi.api;

import io.tiyi.TiyiVersion;
import io.tiyi.settings.Setting;
import io.tiyi.settings.Settings;
import java.util.List;
import java.util.function.Supplier;

/** {@code tiyi.v1.SystemService}: node status and runtime settings. */
final class SystemRpc {
    static final String SERVICE = "SystemService";

    record Status(String phase, String role, long epoch, boolean readOnly, long lastSeq, String nodeId, String version, String commit,
            long uptimeSeconds, long lag, String primaryApi) {}

    record KeyRequest(String key) {}

    /** @param yes the operator made sure no other primary serves */
    record ResumeRequest(Boolean yes) {}

    record PromoteRequest(Boolean force) {}

    record UpdateRequest(String key, String value) {}

    record SettingList(List<Setting> settings) {}

    private SystemRpc() {}

    static void register(RpcRegistry r, Supplier<NodeStatus> status, Settings settings, long startedAt) {
        r.query(SERVICE, "Status", Access.VIEWER, Empty.class, (ctx, q) -> {
            NodeStatus s = status.get();
            return new Status(s.phase().name().toLowerCase(java.util.Locale.ROOT), s.role(), s.epoch(), s.readOnly(), s.lastSeq(),
                    s.nodeId(), TiyiVersion.version(), TiyiVersion.commit(), (System.currentTimeMillis() - startedAt) / 1000, s.lag(),
                    s.primaryApi());
        });
        r.query(SERVICE, "ListSettings", Access.VIEWER, Empty.class, (ctx, q) -> new SettingList(settings.list()));
        r.query(SERVICE, "GetSetting", Access.VIEWER, KeyRequest.class, (ctx, q) -> settings.get(q.key()));
        r.mutation(SERVICE, "UpdateSetting", Access.ADMIN, UpdateRequest.class,
                (ctx, q) -> settings.update(ctx.actor(), q.key(), q.value()));
    }
}
