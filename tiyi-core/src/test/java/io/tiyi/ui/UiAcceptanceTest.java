package io.tiyi.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.siem.Rsyslog;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestUpstream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The UI issue's acceptance in a real Chromium against a real node: the trust profile and SIEM
 * tabs, a SQL injection found in the explorer and turned into a scoped exclusion that lets the
 * same request through, and a viewer who sees no mutating control.
 */
class UiAcceptanceTest {
    static final String SQLI = "/search?q=1%27%20or%20%271%27=%271";

    @RegisterExtension
    final NodeExtension nodes = NodeExtension.primary();

    @Test
    void operateTheNodeFromTheBrowser(@TempDir Path dir) throws Exception {
        TiyiNode node = nodes.node();
        try (TestUpstream up = new TestUpstream("shop-up");
                Rsyslog rsyslog = Rsyslog.start(dir.resolve("rsyslog"));
                Browser b = Browser.open(dir.resolve("profile"), node.adminUrl())) {
            TiyiClient api = node.client();
            api.raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams", List.of(up.url())));
            api.raw("WafService", "SetPolicy", Map.of("site", "shop", "mode", "block"));
            awaitStatus(node, "/search?q=shoes", 200);
            awaitStatus(node, SQLI, 403);

            b.login("admin", node.bootstrapPassword().orElseThrow());
            b.choosePassword("a-new-admin-password-1");
            b.awaitText(By.id("who"), "admin");

            // Trust profile: a bad range is refused next to its field; a good profile is what the API (tiyi trust show) shows.
            b.go("/#/settings?tab=trust");
            b.type(By.id("trust-trusted_proxies"), "10.0.0.0/33");
            b.click(By.id("trust-submit"));
            assertThat(b.awaitText(By.id("trust-trusted_proxies-err"), "10.0.0.0/33").getText()).contains("trusted_proxies");
            b.type(By.id("trust-trusted_proxies"), "10.0.0.0/8\n192.168.0.0/16");
            b.type(By.id("trust-client_ip_headers"), "X-Forwarded-For");
            b.click(By.id("trust-cdn_providers-cloudflare"));
            b.click(By.id("trust-submit"));
            b.awaitText(By.cssSelector("#trust .ok-box"), "saved");
            JsonNode shown = api.raw("TrustService", "Get", Map.of());
            assertThat(shown.get("trusted_proxies").toString()).isEqualTo("[\"10.0.0.0/8\",\"192.168.0.0/16\"]");
            assertThat(shown.get("client_ip_headers").toString()).isEqualTo("[\"X-Forwarded-For\"]");
            assertThat(shown.get("cdn_providers").toString()).isEqualTo("[\"cloudflare\"]");
            b.type(By.id("trust-test-peer"), "10.0.0.5");
            b.type(By.id("trust-test-headers"), "X-Forwarded-For: 198.51.100.7, 10.0.0.5");
            b.click(By.id("trust-test-submit"));
            b.awaitText(By.id("trust-test-result"), "198.51.100.7");
            b.fullPage("settings-trust");

            // SIEM: configure it on its tab, then send a test event and find it at the receiver.
            b.click(By.id("tab-siem"));
            WebElement enabled = b.await(By.id("siem-siem-enabled"));
            if (!enabled.isSelected()) {
                enabled.click();
            }
            b.type(By.id("siem-siem-address"), "tcp://127.0.0.1:" + rsyslog.tcpPort());
            new Select(b.await(By.id("siem-siem-format"))).selectByValue("rfc5424");
            b.click(By.id("siem-siem-filter-include_audit"));
            b.click(By.id("siem-submit"));
            b.awaitText(By.cssSelector("#siem .ok-box"), "Saved");
            assertThat(api.raw("SystemService", "GetSetting", Map.of("key", "siem.address")).get("value").asText())
                    .isEqualTo("tcp://127.0.0.1:" + rsyslog.tcpPort());
            b.click(By.id("siem-send-test"));
            String result = b.awaitText(By.id("siem-test-result"), "written to").getText();
            String testId = result.replaceAll("(?s)^Test event (\\S+) .*$", "$1");
            rsyslog.await(m -> m.structuredData().contains(testId), Duration.ofSeconds(10));
            b.fullPage("settings-siem");

            // A SQL injection through the proxy, found in the explorer, excluded for its path and method.
            HttpResponse<String> blocked = RawHttp.get(node.httpAddress(), "shop.test", SQLI, Map.of());
            assertThat(blocked.statusCode()).isEqualTo(403);
            String requestId = blocked.headers().firstValue("X-Request-Id").orElseThrow();
            node.events().flush();
            b.go("/#/events");
            b.click(By.id("events-refresh"));
            b.click(By.id("event-" + requestId));
            b.awaitText(By.id("event-detail"), requestId);
            assertThat(b.await(By.id("event-matched")).getText()).contains("1' or '1'='1");
            b.fullPage("events");
            assertThat(new Select(b.await(By.id("exclude-rule_id"))).getFirstSelectedOption().getAttribute("value")).isEqualTo("1999300");
            assertThat(b.await(By.id("exclude-path_prefix")).getAttribute("value")).isEqualTo("/search");
            assertThat(b.await(By.id("exclude-method")).getAttribute("value")).isEqualTo("GET");
            b.click(By.id("exclude-submit"));
            b.awaitText(By.cssSelector("#exclude .ok-box"), "excluded");
            b.fullPage("events-excluded");
            JsonNode policy = api.raw("WafService", "GetPolicy", Map.of("site", "shop"));
            assertThat(policy.get("exclusions").toString()).contains("\"rule_id\":1999300").contains("\"path_prefix\":\"/search\"")
                    .contains("\"method\":\"GET\"");
            awaitStatus(node, SQLI, 200);
            // Only that path and method: the same payload elsewhere is still blocked.
            assertThat(RawHttp.get(node.httpAddress(), "shop.test", "/other?q=1%27%20or%20%271%27=%271", Map.of()).statusCode()).isEqualTo(403);
            assertThat(b.consoleErrors()).isEmpty();

            // A viewer sees no mutating control.
            api.raw("UsersService", "Create", Map.of("name", "vera", "role", "viewer", "password", "viewer-password-123"));
            api.raw("UsersService", "SetPassword", Map.of("name", "vera", "password", "viewer-password-123", "require_change", false));
            b.logout();
            b.login("vera", "viewer-password-123");
            b.awaitText(By.id("who"), "vera");
            assertThat(b.driver().findElements(By.id("nav-users"))).isEmpty();
            b.go("/#/events");
            b.click(By.id("event-" + requestId));
            b.awaitText(By.id("event-detail"), requestId);
            assertThat(b.driver().findElements(By.id("exclude"))).isEmpty();
            b.go("/#/settings?tab=trust");
            b.await(By.id("trust-profile"));
            b.awaitText(By.id("trust-profile"), "10.0.0.0/8");
            assertThat(b.driver().findElements(By.id("trust"))).isEmpty();
            assertThat(b.driver().findElements(By.id("cdn-refresh-cloudflare"))).isEmpty();
            b.click(By.id("tab-siem"));
            b.await(By.id("siem-status"));
            assertThat(b.driver().findElements(By.id("siem-send-test"))).isEmpty();
            assertThat(b.driver().findElements(By.id("siem"))).isEmpty();
            b.screenshot("viewer-settings");
            assertThat(b.consoleErrors()).isEmpty();
        }
    }

    private static void awaitStatus(TiyiNode node, String path, int status) {
        AtomicInteger last = new AtomicInteger(-1);
        Await.until(Duration.ofSeconds(20), () -> path + " to answer " + status + ", not " + last.get(), () -> {
            try {
                last.set(RawHttp.get(node.httpAddress(), "shop.test", path, Map.of()).statusCode());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return last.get() == status;
        });
    }
}
