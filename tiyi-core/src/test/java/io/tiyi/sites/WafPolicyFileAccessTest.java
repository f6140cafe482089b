package io.tiyi.sites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.NodeInternals;
import io.tiyi.TiyiNode;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.auth.UserRole;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.proxy.RuntimeConfig;
import io.tiyi.proxy.WafEngines;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.waf.TiyiWaf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's custom rules cannot read the node's files through {@code WafService/SetPolicy}:
 * the local admin token, the agent's keys, the KEK. The refusal is a 400 whose message repeats
 * no byte of the file, and the stored policy is unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WafPolicyFileAccessTest {
    @RegisterExtension
    static final NodeExtension NODE = NodeExtension.primary();

    @TempDir
    Path rulesDir;

    TiyiNode node;
    TiyiClient operator;
    String token;

    @BeforeAll
    void start() {
        node = NODE.node();
        NodeInternals.users(node).create("test", "otto", UserRole.OPERATOR, "operator-password-123".toCharArray());
        TiyiClient anonymous = TiyiClient.of(node.adminUrl(), null);
        operator = anonymous.withToken(anonymous.raw("AuthService", "Login", Map.of("user", "otto", "password", "operator-password-123"))
                .get("access_token").asText());
        node.client().raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.test"), "upstreams",
                List.of("http://127.0.0.1:9")));
        // The random part: the fixed "tiyi_local_" prefix is also in the file's name.
        token = LocalAdminCredential.read(node.config().state().dir()).orElseThrow().token().replaceFirst("^tiyi_local_", "");
        assertThat(token).hasSizeGreaterThan(20);
    }

    @Test
    void includingTheLocalAdminCredentialIsRefusedWithoutQuotingIt() {
        Path credential = node.config().state().dir().resolve(LocalAdminCredential.FILE);
        for (String rules : List.of("Include " + credential, "Include " + credential.getParent() + "/*.json",
                "SecRule ARGS \"@pmFromFile " + credential + "\" \"id:1,phase:1,deny\"",
                "SecRule REMOTE_ADDR \"@ipMatchFromFile " + credential + "\" \"id:1,phase:1,deny\"")) {
            assertThatThrownBy(() -> operator.raw("WafService", "SetPolicy", Map.of("site", "shop", "custom_rules", rules))).as(rules)
                    .isInstanceOfSatisfying(TiyiApiException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(400);
                        assertThat(e.getMessage()).contains("is not a file inside the allowed rule directories");
                        for (int i = 0; i + 5 <= token.length(); i++) {
                            assertThat(e.getMessage()).doesNotContain(token.substring(i, i + 5));
                        }
                    });
        }
        assertThat(operator.raw("WafService", "GetPolicy", Map.of("site", "shop")).get("custom_rules").isNull()).isTrue();
    }

    @Test
    void aDirectoryInWafRulesDirsServesCustomRules() throws Exception {
        Files.writeString(rulesDir.resolve("bots.data"), "sqlmap\n");
        Files.writeString(rulesDir.resolve("bots.conf"),
                "SecRule REQUEST_HEADERS:User-Agent \"@pmFromFile bots.data\" \"id:4100,phase:1,deny,status:403,log\"\n");
        assertThatThrownBy(() -> operator.raw("SystemService", "UpdateSetting", Map.of("key", "waf.rules_dirs", "value", rulesDir.toString())))
                .as("settings are the admin's").isInstanceOfSatisfying(TiyiApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(403));
        node.client().raw("SystemService", "UpdateSetting", Map.of("key", "waf.rules_dirs", "value", rulesDir.toString()));
        try {
            operator.raw("WafService", "SetPolicy", Map.of("site", "shop", "mode", "block", "custom_rules", "Include bots.conf"));
            var result = operator.raw("WafService", "Test", Map.of("site", "shop", "request",
                    "GET / HTTP/1.1\nHost: shop.test\nUser-Agent: sqlmap/1.7\n\n"));
            assertThat(result.get("interrupted").asBoolean()).isTrue();
            assertThat(result.get("interruption").get("rule_id").asLong()).isEqualTo(4100);
        } finally {
            operator.raw("WafService", "SetPolicy", Map.of("site", "shop", "custom_rules", ""));
            node.client().raw("SystemService", "UpdateSetting", Map.of("key", "waf.rules_dirs", "value", ""));
        }
    }

    @Test
    void customRulesReadTheCrsDataFilesOfTheCrsInUse() {
        Path crs = io.tiyi.waf.crs.CrsFixtures.shared();
        RuntimeConfig.WafRules rules = new RuntimeConfig.WafRules("crs", crs.toString());
        RuntimeConfig.WafPolicy policy = new RuntimeConfig.WafPolicy("block", 1, 5, 4, List.of(),
                "SecRule REQUEST_FILENAME \"@pmFromFile restricted-files.data\" \"id:4200,phase:1,deny,status:403\"\n", true);
        TiyiWaf waf = WafEngines.build(rules, policy, RuntimeConfig.Limits.defaults());
        assertThat(waf.hasRule(4200)).isTrue();
        assertThat(waf.hasRule(930130)).as("the CRS's own @pmFromFile rules").isTrue();

        RuntimeConfig.WafPolicy setup = new RuntimeConfig.WafPolicy("block", 1, 5, 4, List.of(), "Include ../crs-setup.conf*\n", true);
        assertThatThrownBy(() -> WafEngines.build(rules, setup, RuntimeConfig.Limits.defaults())).as("the CRS directory above rules/")
                .hasMessageContaining("is not a file inside the allowed rule directories");
    }

    @Test
    void wafRulesDirsIsCheckedWhenSet() throws Exception {
        Path file = Files.writeString(rulesDir.resolve("a-file"), "x");
        for (Map.Entry<String, String> bad : Map.of("relative/dir", "is not an absolute path", rulesDir.resolve("missing").toString(),
                "does not exist", file.toString(), "is not a directory", "/", "is the root directory").entrySet()) {
            assertThatThrownBy(() -> node.client().raw("SystemService", "UpdateSetting", Map.of("key", "waf.rules_dirs", "value", bad.getKey())))
                    .as(bad.getKey()).isInstanceOfSatisfying(TiyiApiException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(400);
                        assertThat(e.getMessage()).contains("waf.rules_dirs").contains(bad.getValue());
                    });
        }
    }
}
