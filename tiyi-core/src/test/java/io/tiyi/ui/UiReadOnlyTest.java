package io.tiyi.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.TiyiCluster;
import io.tiyi.testsupport.ClusterExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The UI of a warm secondary: a login works there (without a refresh token, which only the
 * primary may store), every page says where the primary is, and mutations are disabled.
 */
class UiReadOnlyTest {
    @RegisterExtension
    final ClusterExtension clusters = ClusterExtension.agents(0).withSecondary().withJwtSecret("ui-read-only-test-secret-0123456789abcdef");

    @Test
    void aSecondaryShowsTheBannerAndDisablesChanges(@TempDir Path dir) throws Exception {
        TiyiCluster cluster = clusters.cluster();
        cluster.client().raw("UsersService", "Create", Map.of("name", "ada", "role", "admin", "password", "ada-password-12345"));
        cluster.client().raw("UsersService", "SetPassword", Map.of("name", "ada", "password", "ada-password-12345", "require_change", false));
        cluster.client().raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams",
                List.of("http://127.0.0.1:9")));
        assertThat(cluster.awaitConvergence(Duration.ofSeconds(30))).isTrue();

        try (Browser b = Browser.open(dir.resolve("profile"), cluster.secondary().adminUrl())) {
            b.login("ada", "ada-password-12345");
            b.awaitText(By.id("who"), "ada");
            WebElement banner = b.awaitText(By.id("readonly-banner"), "secondary");
            assertThat(banner.getText()).contains(cluster.primary().adminUrl().replaceAll("/$", ""));
            assertThat(b.cookies()).containsKey("tiyi_session").doesNotContainKey("tiyi_refresh");

            b.go("/#/settings?tab=trust");
            WebElement save = b.await(By.id("trust-submit"));
            assertThat(save.isEnabled()).isFalse();
            assertThat(b.await(By.id("trust-trusted_proxies")).isEnabled()).isFalse();
            b.awaitText(By.id("trust"), "read-only node");
            b.screenshot("readonly-secondary");
            b.go("/#/users");
            b.await(By.id("page-title"));
            b.awaitText(By.id("readonly-banner"), "secondary");
            assertThat(b.consoleErrors()).isEmpty();
        }
    }
}
