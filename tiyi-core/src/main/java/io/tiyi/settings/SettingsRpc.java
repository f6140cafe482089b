package io.tiyi.settings;

import io.tiyi.api.Access;
import io.tiyi.api.RpcMethod;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.SystemRpc;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.SystemService;
import io.tiyi.client.rpc.SystemService.KeyRequest;
import io.tiyi.client.rpc.SystemService.UpdateRequest;
import java.util.List;

/** {@code tiyi.v1.SystemService}'s runtime settings: list, get and update. */
final class SettingsRpc {
    record SettingList(List<Setting> settings) {}

    private SettingsRpc() {}

    static void register(RpcRegistry r, Settings settings) {
        r.query(SystemService.LIST_SETTINGS, Access.VIEWER, (ctx, q) -> new SettingList(settings.list()));
        r.query(SystemService.GET_SETTING, Access.VIEWER, (ctx, q) -> settings.get(RpcMethod.required(q.key(), "key")));
        r.mutation(SystemService.UPDATE_SETTING, Access.ADMIN, (ctx, q) -> settings.update(ctx.actor(), RpcMethod.required(q.key(), "key"), q.value()));
    }
}
