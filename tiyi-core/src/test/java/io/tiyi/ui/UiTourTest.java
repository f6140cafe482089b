package io.tiyi.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.TiyiNode;
import io.tiyi.testsupport.NodeExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The bootstrap admin's first visit: login, the forced password change, then every page at
 * 1280 px and on a phone-sized viewport, with no console error (a CSP violation, a module that
 * fails to load, an exception) on any of them. The screenshots are the ones in docs/ui.md.
 */
class UiTourTest {
    static final List<String> PAGES = List.of("overview", "events", "sites", "agents", "certificates", "alerts", "audit", "releases", "users",
            "settings");

    @RegisterExtension
    final NodeExtension nodes = NodeExtension.primary();

    /** Inputs, selects, textareas and buttons a screen reader could not name. */
    @SuppressWarnings("unchecked")
    static List<String> unlabelled(Browser b) {
        return (List<String>) b.js("return [...document.querySelectorAll('input, select, textarea, button')].filter(e => {"
                + " if (e.type === 'hidden') return false;"
                + " const named = (e.labels && e.labels.length > 0) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')"
                + "   || (e.tagName === 'BUTTON' && e.textContent.trim());"
                + " return !named; }).map(e => e.outerHTML.slice(0, 120));");
    }

    @Test
    void bootstrapAdminReachesEveryPage(@TempDir Path dir) throws Exception {
        TiyiNode node = nodes.node();
        try (Browser b = Browser.open(dir.resolve("profile"), node.adminUrl())) {
            String pw = node.bootstrapPassword().orElseThrow();
            b.go("/");
            b.await(By.id("login-user"));
            b.screenshot("login");
            b.login("admin", pw);
            b.await(By.id("password-password"));
            b.screenshot("password-change");
            b.choosePassword("a-new-admin-password-1");
            b.awaitText(By.id("who"), "admin");
            for (String p : PAGES) {
                b.click(By.id("nav-" + p));
                b.await(d -> d.getCurrentUrl().endsWith("#/" + p) ? true : null);
                b.await(By.id("page-title"));
                Thread.sleep(300);
                b.screenshot("page-" + p);
                assertThat(unlabelled(b)).as("controls without a label on %s", p).isEmpty();
            }
            assertThat(b.consoleErrors()).isEmpty();

            // A phone: the menu button opens the navigation, and no page is wider than the screen.
            b.viewport(390, 844);
            for (String p : PAGES) {
                b.go("/#/overview");
                b.click(By.cssSelector(".menu-btn"));
                b.click(By.id("nav-" + p));
                b.await(d -> d.getCurrentUrl().endsWith("#/" + p) ? true : null);
                b.await(By.id("page-title"));
                Thread.sleep(300);
                Number overflow = (Number) b.js("return document.documentElement.scrollWidth - window.innerWidth");
                assertThat(overflow.intValue()).as("horizontal overflow of %s at 390 px", p).isLessThanOrEqualTo(0);
                b.screenshot("phone-" + p);
            }
            assertThat(b.consoleErrors()).isEmpty();
        }
    }
}
