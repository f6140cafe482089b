package io.tiyi.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.TiyiCluster;
import io.tiyi.TiyiNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.release.ReleaseTarball;
import io.tiyi.testsupport.Await;
import io.tiyi.testsupport.ClusterExtension;
import io.tiyi.testsupport.RawHttp;
import io.tiyi.testsupport.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The alerts, audit, releases and users pages in a real Chromium against a primary with one
 * standalone agent: users created through the form with the server's refusals shown next to
 * their fields, a role change, disabling through the confirm dialog, the audit entries those
 * made and a verified chain, an Origin Bypass Attempt firing acknowledged, a release applied to a
 * one-agent wave (it fails: the in-JVM agent has no launcher) and rolled back, and a viewer that
 * sees none of the mutating controls. The screenshots named alerts, audit, audit-verified,
 * releases and users are the ones in the docs.
 */
class UiPages2Test {
    static final String ADMIN_PW = "a-new-admin-password-1";

    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(1);

    @Test
    void alertsAuditReleasesAndUsers(@TempDir Path dir) throws Exception {
        TiyiCluster cluster = clusters.cluster();
        try (TestUpstream up = new TestUpstream("app");
                Browser b = Browser.open(dir.resolve("profile"), cluster.primary().adminUrl())) {
            try {
                run(cluster, b, up);
            } catch (Throwable t) {
                shot(b, "failure");
                throw t;
            }
        }
    }

    void run(TiyiCluster cluster, Browser b, TestUpstream up) throws Exception {
        {
            TiyiNode primary = cluster.primary();
            TiyiClient api = cluster.client();
            String agentId = cluster.agent(0).agent().orElseThrow().identity().agentId();
            long firingId = fireOriginBypass(cluster, api, up);

            b.login("admin", primary.bootstrapPassword().orElseThrow());
            b.choosePassword(ADMIN_PW);
            b.awaitText(By.id("who"), "admin");

            // Users: the server's refusals land next to the field they are about.
            nav(b, "users");
            b.await(By.id("user-create"));
            b.type(By.id("user-create-name"), "alice");
            new Select(b.await(By.id("user-create-role"))).selectByValue("viewer");
            b.type(By.id("user-create-password"), "short");
            b.click(By.id("user-create-submit"));
            assertThat(b.awaitText(By.id("user-create-password-err"), "at least 12 characters").getText()).contains("password");
            b.type(By.id("user-create-password"), "alice-initial-pw-1");
            b.click(By.id("user-create-submit"));
            b.awaitText(By.cssSelector("#user-create .ok-box"), "must choose a new password");
            b.await(By.id("user-open-alice"));
            b.type(By.id("user-create-name"), "alice");
            b.type(By.id("user-create-password"), "another-password-1");
            b.click(By.id("user-create-submit"));
            b.awaitText(By.id("user-create-name-err"), "already exists");
            JsonNode alice = user(api, "alice");
            assertThat(alice.get("must_change_password").asBoolean()).as("an initial password is changed at first login").isTrue();

            b.click(By.id("user-open-alice"));
            b.await(By.id("user-detail"));
            new Select(b.await(By.id("user-role-role"))).selectByValue("operator");
            b.click(By.id("user-role-submit"));
            b.awaitText(By.cssSelector("#user-role .ok-box"), "is now operator");
            b.await(d -> "operator".equals(user(api, "alice").get("role").asText()) ? true : null);
            b.click(By.id("user-disable"));
            b.awaitText(By.id("dialog-title"), "Disable alice?");
            b.click(By.id("dialog-confirm"));
            b.awaitText(By.cssSelector("#users-list tr.selected"), "disabled");
            assertThat(user(api, "alice").get("disabled").asBoolean()).isTrue();
            b.await(By.id("user-enable"));
            shot(b, "users");

            // Audit: those changes, one entry's details, and the chain verified.
            nav(b, "audit");
            WebElement entries = b.awaitText(By.id("audit-entries"), "users.disable");
            assertThat(entries.getText()).contains("users.create").contains("users.set_role").contains("user:alice");
            shot(b, "audit");
            long last = api.raw("AuditService", "List", Map.of("limit", 1)).get("entries").get(0).get("id").asLong();
            b.click(By.id("audit-open-" + last));
            b.await(By.id("audit-detail-json"));
            b.click(By.id("audit-verify"));
            assertThat(b.awaitText(By.id("audit-verify-result"), "Chain OK").getText()).contains("entries verify");
            shot(b, "audit-verified");

            // Alerts: the firing, its detail, acknowledging it; the rule's inline editor.
            nav(b, "alerts");
            b.await(By.id("alert-rule-origin-bypass-attempt"));
            b.awaitText(By.id("alerts-firings"), "Origin Bypass Attempt");
            b.click(By.id("alert-open-" + firingId));
            b.awaitText(By.id("alert-detail-text"), "127.0.0.1 -> shop.test");
            shot(b, "alerts");
            b.click(By.id("alert-ack-" + firingId));
            b.awaitText(By.id("alert-detail"), "acked by user:admin");
            assertThat(api.raw("AlertsService", "Get", Map.of("id", firingId)).get("acked_by").asText()).isEqualTo("user:admin");
            b.type(By.id("alert-rule-origin-bypass-attempt-threshold"), "3");
            b.click(By.id("alert-rule-origin-bypass-attempt-submit"));
            b.awaitText(By.cssSelector("#alert-rule-origin-bypass-attempt .ok-box"), "Rule saved");
            assertThat(api.raw("AlertsService", "ListRules", Map.of()).get("rules").get(0).get("threshold").asInt()).isEqualTo(3);
            shot(b, "alerts-acked");

            // Releases: the empty state with the CLI import, then a wave of one agent and a rollback.
            nav(b, "releases");
            assertThat(b.awaitText(By.id("releases-empty"), "No release imported yet").getText()).contains("tiyi release import --tarball");
            b.await(By.id("releases-runs-empty"));
            shot(b, "releases-empty");
            api.raw("ReleasesService", "Import", Map.of("tarball", tarball("3.0.1")));
            nav(b, "overview");
            nav(b, "releases");
            b.await(By.id("release-open-3.0.1"));
            b.click(By.id("release-agent-" + agentId));
            b.click(By.id("release-apply-submit"));
            b.awaitText(By.id("dialog-title"), "Apply 3.0.1?");
            b.click(By.id("dialog-confirm"));
            b.awaitText(By.cssSelector("#release-apply .ok-box"), "started for 1 agent");
            awaitFinalRun(api);
            WebElement run = b.await(d -> {
                List<WebElement> runs = d.findElements(By.cssSelector("#releases-runs .run"));
                return runs.size() == 1 && runs.get(0).getText().contains("failed") ? runs.get(0) : null;
            });
            assertThat(run.getText()).contains(agentId).contains("3.0.1").contains("launcher");
            b.viewport(1280, 1200);
            shot(b, "releases");
            b.viewport(1280, 900);
            b.click(By.id("release-open-3.0.1"));
            b.awaitText(By.id("release-detail"), "tiyi.jar");
            shot(b, "releases-detail");
            b.click(By.id("release-rollback"));
            b.awaitText(By.id("dialog-title"), "Roll back agents?");
            b.click(By.id("dialog-confirm"));
            b.await(d -> d.findElements(By.cssSelector("#releases-runs .run")).size() == 2 ? true : null);
            assertThat(b.await(By.cssSelector("#releases-runs .run")).getText()).contains("rollback");
            shot(b, "releases-rollback");

            // A phone.
            b.viewport(390, 844);
            b.go("/#/users");
            b.await(By.id("user-open-alice"));
            shot(b, "users-phone");
            for (String p : List.of("alerts", "audit", "releases")) {
                b.go("/#/" + p);
                b.await(d -> d.getCurrentUrl().contains("#/" + p) ? true : null);
                b.await(By.cssSelector(".card"));
                Thread.sleep(300);
                shot(b, p + "-phone");
            }
            b.viewport(1280, 900);
            assertThat(b.consoleErrors()).isEmpty();

            // A viewer sees no mutating control and no Users page.
            api.raw("UsersService", "Create", Map.of("name", "vera", "role", "viewer", "password", "vera-password-12"));
            b.go("/#/overview");
            b.logout();
            b.login("vera", "vera-password-12");
            b.awaitText(By.id("who"), "vera");
            assertThat(b.driver().findElements(By.id("nav-users"))).isEmpty();
            nav(b, "alerts");
            b.awaitText(By.id("alerts-firings"), "Origin Bypass Attempt");
            b.await(By.id("alert-rule-origin-bypass-attempt-card"));
            assertThat(b.driver().findElements(By.cssSelector("[id^=alert-ack-], #alert-rule-origin-bypass-attempt, form.form"))).isEmpty();
            nav(b, "audit");
            b.awaitText(By.id("audit-no-access"), "needs the admin role");
            assertThat(b.driver().findElements(By.id("audit-entries"))).isEmpty();
            b.click(By.id("audit-verify"));
            b.awaitText(By.id("audit-verify-result"), "Chain OK");
            shot(b, "audit-viewer");
            nav(b, "releases");
            b.await(By.id("release-open-3.0.1"));
            b.await(By.id("releases-runs-list"));
            assertThat(b.driver().findElements(By.cssSelector("#releases-wave, #release-rollback, #release-apply, form.form"))).isEmpty();
            shot(b, "releases-viewer");
            b.go("/#/users");
            b.awaitText(By.id("page-title"), "Not found");
            assertThat(b.driver().findElements(By.id("user-create"))).isEmpty();
            assertThat(b.consoleErrors()).isEmpty();
        }
    }

    /** A screenshot from the top of the page (clicks scroll the element they click into view). */
    static void shot(Browser b, String name) throws InterruptedException {
        b.js("window.scrollTo(0, 0); document.querySelectorAll('.table-wrap').forEach(e => e.scrollLeft = 0);"
                + "document.querySelector('.toasts').style.visibility = 'hidden'");
        Thread.sleep(150);
        b.screenshot(name);
        b.js("document.querySelector('.toasts').style.visibility = ''");
    }

    static void nav(Browser b, String page) {
        b.click(By.id("nav-" + page));
        b.await(d -> d.getCurrentUrl().contains("#/" + page) ? true : null);
        b.await(By.id("page-title"));
    }

    /** A client address claimed through an untrusted peer at the agent: the Origin Bypass Attempt rule fires. */
    static long fireOriginBypass(TiyiCluster cluster, TiyiClient api, TestUpstream up) throws Exception {
        api.raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams", List.of(up.url())));
        api.raw("TrustService", "Set", Map.of("trusted_proxies", List.of("10.0.0.0/8"), "client_ip_headers", List.of("X-Forwarded-For")));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();
        assertThat(RawHttp.get(cluster.agent(0).httpAddress(), "shop.test", "/x", Map.of("X-Forwarded-For", "1.2.3.4")).statusCode())
                .isEqualTo(200);
        cluster.agent(0).agent().orElseThrow().report();
        JsonNode firings = Await.value(Duration.ofSeconds(10), "an alert firing", () -> Optional.of(
                api.raw("AlertsService", "List", Map.of()).get("firings")).filter(f -> !f.isEmpty()));
        assertThat(firings).hasSize(1);
        return firings.get(0).get("id").asLong();
    }

    /** The agent of the latest rollout reached a final state (the page polls while it has not). */
    static void awaitFinalRun(TiyiClient api) {
        Await.until(Duration.ofSeconds(60), "the rollout to finish", () -> {
            String state = api.raw("ReleasesService", "Runs", Map.of("limit", 1)).get("runs").get(0).get("agents").get(0).get("state").asText();
            return state.equals("failed") || state.equals("healthy");
        });
    }

    static JsonNode user(TiyiClient api, String name) {
        for (JsonNode u : api.raw("UsersService", "List", Map.of()).get("users")) {
            if (u.get("name").asText().equals(name)) {
                return u;
            }
        }
        throw new AssertionError("no user " + name);
    }

    static byte[] tarball(String version) throws Exception {
        byte[] jar = ("not really a jar " + version).getBytes(StandardCharsets.UTF_8);
        ReleaseTarball t = ReleaseTarball.create(version, Instant.parse("2026-11-28T12:00:00Z"), List.of(new ReleaseTarball.ArtifactInput(
                "tiyi.jar", "any", "any", "artifacts/tiyi.jar", "java -jar tiyi.jar", jar)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        t.writeTo(out);
        return out.toByteArray();
    }
}
