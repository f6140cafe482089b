package io.tiyi.siem;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.tiyi.TiyiCluster;
import io.tiyi.client.TiyiClient;
import io.tiyi.events.AuditLogEvent;
import io.tiyi.events.SecurityEvent;
import io.tiyi.proxy.RuntimeConfig.SiemConfig;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestUpstream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SIEM forwarding against a real rsyslog: every format over every transport arrives and parses
 * field by field; a cluster's agent forwards its blocked requests and the primary its audit
 * entries, with the settings changed through the API and carried by bundles; and the receiver
 * stopped and started again under traffic costs no request.
 */
class SiemRsyslogTest {
    @TempDir
    Path dir;

    static SecurityEvent blocked(String requestId) {
        return new SecurityEvent(System.currentTimeMillis(), requestId, "203.0.113.7", "10.0.0.5", "shop", "GET", "shop.example",
                "/?q=1' or '1'='1", "blocked", 403, List.of(942100L, 949110L),
                List.of("SQL Injection Attack Detected via libinjection", "Inbound Anomaly Score Exceeded (Total Score: 5)"),
                "ARGS:q=1' or '1'='1", 5);
    }

    @ParameterizedTest(name = "{0} over {1}")
    @CsvSource({"rfc5424,tcp", "rfc5424,udp", "rfc5424,unix", "cef,tcp", "cef,udp", "cef,unix", "leef,tcp", "leef,udp", "leef,unix"})
    void eachFormatOverEachTransportArrivesAndParses(String format, String transport) throws Exception {
        try (Rsyslog rs = Rsyslog.start(dir); SiemDispatcher d = new SiemDispatcher(new Origin("edge-7", "ag-1", "3.0.0", 4242),
                new MetricRegistry(), 100)) {
            String address = switch (transport) {
                case "tcp" -> "tcp://127.0.0.1:" + rs.tcpPort();
                case "udp" -> "udp://127.0.0.1:" + rs.udpPort();
                default -> "unixgram://" + rs.unixSocket();
            };
            d.configure(new SiemConfig(true, address, format, true, false, 1, "info"));
            String id = "req-" + format + "-" + transport;
            assertThat(d.offer(blocked(id))).isTrue();
            assertThat(d.offer(new AuditLogEvent(System.currentTimeMillis(), 9, "alice", "sites.update", "site:shop", Map.of()))).isTrue();

            Rsyslog.Received sec = rs.await(r -> r.raw().contains(id), Duration.ofSeconds(10));
            assertThat(sec.input()).isEqualTo(transport);
            assertThat(sec.pri()).isEqualTo(16 * 8 + 4);
            assertThat(sec.version()).isEqualTo("1");
            assertThat(sec.hostname()).isEqualTo("edge-7");
            assertThat(sec.app()).isEqualTo("tiyi");
            assertThat(sec.procid()).isEqualTo("4242");
            assertThat(sec.msgid()).isEqualTo("security");
            switch (format) {
                case "rfc5424" -> {
                    assertThat(sec.structuredData()).startsWith("[tiyi@32473 ").contains("rule_ids=\"942100,949110\"")
                            .contains("client_ip=\"203.0.113.7\"").contains("site=\"shop\"").contains("request_id=\"" + id + "\"")
                            .contains("matched=\"ARGS:q=1' or '1'='1\"");
                    assertThat(sec.msg()).contains("942100");
                }
                case "cef" -> {
                    assertThat(sec.structuredData()).isEqualTo("-");
                    assertThat(sec.msg()).startsWith("CEF:0|Tiyi|").contains("|942100|").contains("src=203.0.113.7")
                            .contains("requestMethod=GET").contains("942100,949110").contains("ARGS:q\\=1' or '1'\\='1");
                }
                default -> {
                    assertThat(sec.structuredData()).isEqualTo("-");
                    assertThat(sec.msg()).startsWith("LEEF:2.0|Tiyi|").contains("src=203.0.113.7").contains("\t").contains("942100,949110");
                }
            }
            Rsyslog.Received audit = rs.await(r -> "audit".equals(r.msgid()) && r.raw().contains("sites.update"), Duration.ofSeconds(10));
            assertThat(audit.raw()).contains("alice");
        }
    }

    @Test
    void aClusterForwardsAgentEventsAndPrimaryAuditWithSettingsFromBundles() throws Exception {
        try (Rsyslog rs = Rsyslog.start(dir.resolve("rsyslog")); TestUpstream up = new TestUpstream("app");
                TiyiCluster cluster = TiyiCluster.builder().root(dir.resolve("cluster")).agents(1).build().start()) {
            TiyiClient api = shopForwardingTo(cluster, up, rs, "siem.format", "rfc5424", "siem.filter.include_audit", "true");
            assertThat(cluster.agent(0).siem().orElseThrow().config().active()).as("the agent's settings came in a bundle").isTrue();

            InetSocketAddress edge = cluster.agent(0).httpAddress();
            var r = RawHttp.get(edge, "shop.test", "/?q=1%27%20or%20%271%27=%271", Map.of());
            assertThat(r.statusCode()).isEqualTo(403);
            String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();
            Rsyslog.Received sec = rs.await(m -> m.raw().contains(requestId), Duration.ofSeconds(10));
            assertThat(sec.msgid()).isEqualTo("security");
            // The cluster runs the built-in rules (no CRS directory is configured): 1999300 is their SQLi rule.
            assertThat(sec.structuredData()).contains("rule_ids=\"1999300,").contains("site=\"shop\"").contains("action=\"blocked\"");
            String agentId = cluster.agent(0).agent().orElseThrow().identity().agentId();
            assertThat(sec.structuredData()).contains("node=\"" + agentId + "\"");

            Rsyslog.Received audit = rs.await(m -> "audit".equals(m.msgid()) && m.raw().contains("siem.filter.include_audit"),
                    Duration.ofSeconds(10));
            assertThat(audit.raw()).contains("settings.update");

            // The test event goes through the live settings and lands.
            var test = api.raw("SiemService", "Test", Map.of());
            assertThat(test.get("result").get("written").asBoolean()).as(test.toString()).isTrue();
            rs.await(m -> "test".equals(m.msgid()) && m.raw().contains(test.get("id").asText()), Duration.ofSeconds(10));

            // Switched off through settings: the agent stops forwarding.
            setting(api, "siem.enabled", "false");
            assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
            assertThat(cluster.agent(0).siem().orElseThrow().config().enabled()).isFalse();
            var after = RawHttp.get(edge, "shop.test", "/?q=1%27%20or%20%271%27=%271", Map.of());
            String quiet = after.headers().firstValue("X-Request-Id").orElseThrow();
            Thread.sleep(500);
            assertThat(rs.received()).noneMatch(m -> m.raw().contains(quiet));
        }
    }

    @Test
    void theReceiverRestartingUnderTrafficCostsNoRequest() throws Exception {
        try (Rsyslog rs = Rsyslog.start(dir.resolve("rsyslog")); TestUpstream up = new TestUpstream("app");
                TiyiCluster cluster = TiyiCluster.builder().root(dir.resolve("cluster")).agents(1).build().start()) {
            TiyiClient api = shopForwardingTo(cluster, up, rs, "siem.filter.include_access", "true");
            InetSocketAddress edge = cluster.agent(0).httpAddress();
            SiemDispatcher agentSiem = cluster.agent(0).siem().orElseThrow();

            AtomicBoolean run = new AtomicBoolean(true);
            AtomicLong failures = new AtomicLong();
            AtomicLong worstMs = new AtomicLong();
            List<String> lateIds = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean restarted = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            AtomicLong sent = new AtomicLong();
            for (int c = 0; c < 2; c++) {
                int n = c;
                Thread t = new Thread(() -> {
                    int i = 0;
                    while (run.get()) {
                        boolean attack = i++ % 4 == 0;
                        long t0 = System.nanoTime();
                        try {
                            var resp = RawHttp.get(edge, "shop.test", attack ? "/?q=1%27%20or%20%271%27=%271" : "/ok-" + n + "-" + i, Map.of());
                            if (resp.statusCode() != (attack ? 403 : 200)) {
                                failures.incrementAndGet();
                            } else if (attack && restarted.get()) {
                                lateIds.add(resp.headers().firstValue("X-Request-Id").orElse(""));
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                        worstMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                        sent.incrementAndGet();
                    }
                });
                t.start();
                clients.add(t);
            }
            Thread.sleep(1500);
            rs.stop();
            Thread.sleep(2000);
            rs.restart();
            restarted.set(true);
            Thread.sleep(2500);
            run.set(false);
            for (Thread t : clients) {
                t.join(10_000);
            }
            SiemDispatcher.Stats st = agentSiem.stats();
            System.out.printf("SIEM receiver restart under traffic: %d requests, %d failed, slowest %d ms; sent %d, reconnects %d, dropped %s%n",
                    sent.get(), failures.get(), worstMs.get(), st.sent(), st.reconnects(), st.dropped());
            assertThat(failures.get()).as("failed requests of %d", sent.get()).isZero();
            // Bound for a request on a 2-core box under the test's own load; a request waiting on the SIEM would take seconds.
            assertThat(worstMs.get()).as("slowest request, ms").isLessThan(1500);
            assertThat(lateIds).isNotEmpty();
            String last = lateIds.get(lateIds.size() - 1);
            rs.await(m -> m.raw().contains(last), Duration.ofSeconds(15));
            assertThat(agentSiem.stats().reconnects()).isGreaterThanOrEqualTo(1);
            assertThat(agentSiem.stats().connected()).isTrue();
        }
    }

    /** A site in block mode and SIEM forwarding over TCP to {@code rs}, with more settings as key, value pairs; waits for every node. */
    static TiyiClient shopForwardingTo(TiyiCluster cluster, TestUpstream up, Rsyslog rs, String... more) throws InterruptedException {
        TiyiClient api = cluster.client();
        api.raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams", List.of(up.url())));
        api.raw("WafService", "SetPolicy", Map.of("site", "shop", "mode", "block"));
        setting(api, "siem.enabled", "true");
        setting(api, "siem.address", "tcp://127.0.0.1:" + rs.tcpPort());
        for (int i = 0; i + 1 < more.length; i += 2) {
            setting(api, more[i], more[i + 1]);
        }
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        return api;
    }

    static void setting(TiyiClient api, String key, String value) {
        api.raw("SystemService", "UpdateSetting", Map.of("key", key, "value", value));
    }
}
