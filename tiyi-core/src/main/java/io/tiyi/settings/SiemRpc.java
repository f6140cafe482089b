package io.tiyi.settings;

import io.tiyi.api.Access;
import io.tiyi.api.RpcRegistry;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.SiemService;
import io.tiyi.crypto.RandomTokens;
import io.tiyi.siem.SiemDispatcher;
import io.tiyi.siem.TestEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code tiyi.v1.SiemService}: a test event through the live SIEM configuration, and the dispatcher's counters. */
final class SiemRpc {
    static final Duration TEST_TIMEOUT = Duration.ofSeconds(10);

    /**
     * What {@code tiyi siem test} prints.
     *
     * @param id the test event's id, to find it at the receiver
     * @param result whether it was written, and where
     */
    record TestReply(String id, SiemDispatcher.TestResult result) {}

    private SiemRpc() {}

    /**
     * @param dispatcher this node's dispatcher
     * @param refresh brings the dispatcher up to the settings in force before a test
     */
    static void register(RpcRegistry r, SiemDispatcher dispatcher, Runnable refresh) {
        r.query(SiemService.TEST, Access.OPERATOR, (ctx, q) -> {
            refresh.run();
            String id = RandomTokens.token(9);
            return new TestReply(id, dispatcher.test(new TestEvent(System.currentTimeMillis(), ctx.actor(), id), TEST_TIMEOUT));
        });
        r.query(SiemService.STATUS, Access.VIEWER, (ctx, q) -> {
            SiemDispatcher.Stats s = dispatcher.stats();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("config", dispatcher.config());
            out.put("connected", s.connected());
            out.put("sent", s.sent());
            Map<String, Long> dropped = new LinkedHashMap<>();
            s.dropped().forEach((k, v) -> dropped.put(k.name().toLowerCase(Locale.ROOT), v));
            out.put("dropped", dropped);
            out.put("reconnects", s.reconnects());
            out.put("queue_depth", s.queueDepth());
            out.put("last_error", s.lastError());
            return out;
        });
    }
}
