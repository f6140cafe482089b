package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.siem.Rsyslog;
import io.tiyi.ui.Browser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console of a real {@code tiyi server} in a real Chromium: the login page at /, the
 * bootstrap admin's forced password change and every page, the trust profile set on its tab as
 * {@code tiyi trust show} then shows it, and a SIEM test event sent from its tab to rsyslog.
 */
class UiBrowserIT {
    private static final Pattern BOOTSTRAP = Pattern.compile("bootstrap admin created: user 'admin' password '([^']+)'");
    private static final List<String> PAGES = List.of("overview", "events", "sites", "agents", "certificates", "alerts", "audit", "releases",
            "users", "settings");

    @TempDir
    Path dir;

    @Test
    void theBootstrapAdminOperatesTheServerFromTheBrowser() throws Exception {
        Path state = dir.resolve("state");
        try (Rsyslog rsyslog = Rsyslog.start(dir.resolve("rsyslog"));
                TiyiProcess server = TiyiProcess.start(Map.of(), "server", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
                        "--https-addr", "127.0.0.1:0", "--state-dir", state.toString())) {
            String url = server.awaitReady(Duration.ofSeconds(60));
            Matcher m = BOOTSTRAP.matcher(server.output());
            assertThat(m.find()).isTrue();
            Map<String, String> env = Map.of("TIYI_STATE_DIR", state.toString(), "TIYI_API", url);

            try (Browser b = Browser.open(dir.resolve("profile"), url.replaceAll("/$", ""))) {
                b.go("/");
                assertThat(b.await(By.id("page-title")).getText()).contains("Tiyi");
                assertThat(b.await(By.id("login-submit")).getText()).isEqualTo("Log in");
                b.login("admin", m.group(1));
                b.choosePassword("the-admin-chose-this-1");
                b.awaitText(By.id("who"), "admin");
                for (String p : PAGES) {
                    b.click(By.id("nav-" + p));
                    b.await(d -> d.getCurrentUrl().endsWith("#/" + p) ? true : null);
                    assertThat(b.await(By.id("page-title")).getText()).isNotBlank().isNotEqualTo("Not found");
                }

                b.go("/#/settings?tab=trust");
                b.type(By.id("trust-trusted_proxies"), "10.0.0.0/8\n172.16.0.0/12");
                b.type(By.id("trust-client_ip_headers"), "X-Forwarded-For");
                b.click(By.id("trust-cdn_providers-fastly"));
                b.click(By.id("trust-submit"));
                b.awaitText(By.cssSelector("#trust .ok-box"), "saved");
                JsonNode shown = AgentProcessIT.json(env, "trust", "show", "--output", "json");
                assertThat(shown.get("trusted_proxies").toString()).isEqualTo("[\"10.0.0.0/8\",\"172.16.0.0/12\"]");
                assertThat(shown.get("client_ip_headers").toString()).isEqualTo("[\"X-Forwarded-For\"]");
                assertThat(shown.get("cdn_providers").toString()).isEqualTo("[\"fastly\"]");

                b.click(By.id("tab-siem"));
                WebElement enabled = b.await(By.id("siem-siem-enabled"));
                if (!enabled.isSelected()) {
                    enabled.click();
                }
                b.type(By.id("siem-siem-address"), "tcp://127.0.0.1:" + rsyslog.tcpPort());
                b.click(By.id("siem-submit"));
                b.awaitText(By.cssSelector("#siem .ok-box"), "Saved");
                b.click(By.id("siem-send-test"));
                String result = b.awaitText(By.id("siem-test-result"), "written to").getText();
                String id = result.replaceAll("(?s)^Test event (\\S+) .*$", "$1");
                assertThat(rsyslog.await(r -> r.structuredData().contains(id), Duration.ofSeconds(10)).msgid()).isEqualTo("test");
                assertThat(b.consoleErrors()).isEmpty();
            }
        }
    }
}
