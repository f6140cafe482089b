package io.tiyi.settings;

import io.tiyi.api.Access;
import io.tiyi.api.Empty;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.SystemRpc;
import java.util.List;

/** {@code tiyi.v1.SystemService}'s runtime settings: list, get and update. */
final class SettingsRpc {
    record KeyRequest(String key) {}

    record UpdateRequest(String key, String value) {}

    record SettingList(List<Setting> settings) {}

    private SettingsRpc() {}

    static void register(RpcRegistry r, Settings settings) {
        r.query(SystemRpc.SERVICE, "ListSettings", Access.VIEWER, Empty.class, (ctx, q) -> new SettingList(settings.list()));
        r.query(SystemRpc.SERVICE, "GetSetting", Access.VIEWER, KeyRequest.class, (ctx, q) -> settings.get(q.key()));
        r.mutation(SystemRpc.SERVICE, "UpdateSetting", Access.ADMIN, UpdateRequest.class,
                (ctx, q) -> settings.update(ctx.actor(), q.key(), q.value()));
    }
}
