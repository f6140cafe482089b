package io.tiyi.hostile;

import io.tiyi.TiyiNode;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.NodeExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the hostile-input tests share: a node's admin API, its configuration in force, raw HTTP over a socket. */
final class Hostile {
    private Hostile() {}

    static TiyiClient admin(NodeExtension nodes) {
        return TiyiClient.of(nodes.node().adminUrl(), LocalAdminCredential.read(nodes.stateDir()).orElseThrow().token());
    }

    /** Calls an RPC that changes state, then waits until the node's data plane runs the configuration it made. */
    static void change(TiyiNode node, TiyiClient api, String service, String method, Map<String, ?> request) {
        api.raw(service, method, request);
        long seq = node.status().lastSeq();
        Await.until(Duration.ofSeconds(30), "configuration " + seq + " in force", () -> node.runtimeVersion() >= seq);
    }

    static void site(TiyiNode node, TiyiClient api, String name, String host, String upstream) {
        change(node, api, "SitesService", "Create", Map.of("name", name, "hosts", List.of(host), "upstreams", List.of(upstream)));
    }

    static void setting(TiyiNode node, TiyiClient api, String key, String value) {
        change(node, api, "SystemService", "UpdateSetting", Map.of("key", key, "value", value));
    }

    /** Writes {@code raw} on a new connection and reads until the server closes it. */
    static String send(InetSocketAddress addr, String raw) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(addr, 2000);
            s.setSoTimeout(120_000);
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static String header(String resp, String name) {
        Matcher m = Pattern.compile("(?im)^" + name + ": *([^\r\n]*)").matcher(resp);
        return m.find() ? m.group(1) : "";
    }
}
