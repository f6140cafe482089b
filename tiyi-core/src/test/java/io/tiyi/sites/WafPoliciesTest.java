package io.tiyi.sites;

import static io.tiyi.store.generated.Tables.AUDIT_LOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.settings.Settings;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.MutationTypes;
import io.tiyi.store.StateStore;
import io.tiyi.store.TestStores;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A site's WAF policy in state.db: the strict-bodies switch and the profile next to mode and paranoia. */
class WafPoliciesTest {
    @TempDir
    Path dir;

    StateStore store;
    MutationPipeline pipeline;
    WafPolicies policies;

    @BeforeEach
    void open() {
        store = TestStores.primary(dir);
        pipeline = TestStores.pipeline(store);
        policies = new WafPolicies(store, pipeline, new Settings(store, pipeline));
        new Sites(store, pipeline).create("user:a", "shop", new Sites.Spec(List.of("shop.test"), List.of("http://127.0.0.1:9"), null, null, null));
    }

    @AfterEach
    void close() {
        pipeline.close();
        store.close();
    }

    @Test
    void strictBodiesAreOnByDefaultAndChangeAloneOrWithTheRest() {
        assertThat(policies.get("shop").strictBodies()).isTrue();
        assertThat(policies.all().get("shop").strictBodies()).isTrue();

        WafPolicies.Policy off = policies.set("user:a", "shop", null, null, null, null, null, false, null);
        assertThat(off.strictBodies()).isFalse();
        assertThat(off.mode()).isEqualTo("detect");
        assertThat(policies.all().get("shop").strictBodies()).isFalse();

        WafPolicies.Policy block = policies.set("user:a", "shop", "block", 2, null, null, null, null, null);
        assertThat(block.strictBodies()).as("a change that does not name the switch keeps it").isFalse();
        assertThat(block.paranoia()).isEqualTo(2);

        assertThat(policies.set("user:a", "shop", null, null, null, null, null, true, null).strictBodies()).isTrue();
        List<String> audited = store.read(db -> db.select(AUDIT_LOG.DETAILS).from(AUDIT_LOG).where(AUDIT_LOG.ACTION.eq("waf.set_policy"))
                .orderBy(AUDIT_LOG.ID).fetch(AUDIT_LOG.DETAILS));
        assertThat(audited.get(0)).contains("\"strict_bodies\":false");
    }

    @Test
    void aSetPolicyLoggedBeforeTheSwitchReplaysAsStrict() {
        policies.set("user:a", "shop", null, null, null, null, null, false, null);
        String old = "{\"custom_rules\":null,\"inbound_threshold\":5,\"mode\":\"block\",\"outbound_threshold\":4,\"paranoia\":1,\"site\":\"shop\"}";
        WafPolicies.SetPolicy decoded = (WafPolicies.SetPolicy) MutationTypes.decode(WafPolicies.SetPolicy.KIND, old);
        assertThat(decoded.strictBodies()).isTrue();

        pipeline.apply("replica", decoded);
        assertThat(policies.get("shop").strictBodies()).isTrue();
        assertThat(policies.get("shop").mode()).isEqualTo("block");
    }

    @Test
    void theFirstPolicySetGetsTheStandardProfileAndAStoredOneKeepsItsOwn() {
        assertThat(policies.get("shop").profile()).as("never set: the CRS as it ships, in detect mode").isEqualTo("crs");
        assertThat(policies.all().get("shop").profile()).isEqualTo("crs");

        WafPolicies.Policy block = policies.set("user:a", "shop", "block", null, null, null, null, null, null);
        assertThat(block.profile()).isEqualTo("standard");
        assertThat(policies.all().get("shop").profile()).isEqualTo("standard");

        assertThat(policies.set("user:a", "shop", null, null, null, null, null, null, "CRS").profile()).isEqualTo("crs");
        assertThat(policies.set("user:a", "shop", null, 2, null, null, null, null, null).profile())
                .as("a change that does not name the profile keeps it").isEqualTo("crs");
        assertThatThrownBy(() -> policies.set("user:a", "shop", null, null, null, null, null, null, "strict"))
                .hasMessage("--profile must be standard or crs; got 'strict'");
        assertThat(policies.get("shop").profile()).isEqualTo("crs");
        List<String> audited = store.read(db -> db.select(AUDIT_LOG.DETAILS).from(AUDIT_LOG).where(AUDIT_LOG.ACTION.eq("waf.set_policy"))
                .orderBy(AUDIT_LOG.ID).fetch(AUDIT_LOG.DETAILS));
        assertThat(audited.get(0)).contains("\"profile\":\"standard\"");
    }

    @Test
    void aSetPolicyLoggedBeforeProfilesReplaysAsTheCrs() {
        policies.set("user:a", "shop", "block", null, null, null, null, null, "standard");
        String old = "{\"custom_rules\":null,\"inbound_threshold\":5,\"mode\":\"block\",\"outbound_threshold\":4,\"paranoia\":1,\"site\":\"shop\","
                + "\"strict_bodies\":true}";
        WafPolicies.SetPolicy decoded = (WafPolicies.SetPolicy) MutationTypes.decode(WafPolicies.SetPolicy.KIND, old);
        assertThat(decoded.profile()).isEqualTo("crs");
        pipeline.apply("replica", decoded);
        assertThat(policies.get("shop").profile()).isEqualTo("crs");
    }

    @Test
    void aBundleNamesTheProfileOnlyWhenItIsNotTheCrsWhichOlderAgentsRun() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = io.tiyi.internal.Json.MAPPER;
        io.tiyi.proxy.RuntimeConfig.WafPolicy crs = io.tiyi.proxy.RuntimeConfig.WafPolicy.defaults();
        assertThat(json.writeValueAsString(crs)).doesNotContain("profile");
        io.tiyi.proxy.RuntimeConfig.WafPolicy standard = new io.tiyi.proxy.RuntimeConfig.WafPolicy("block", 1, 5, 4, List.of(), null, true, "standard");
        String text = json.writeValueAsString(standard);
        assertThat(text).contains("\"profile\":\"standard\"");
        assertThat(json.readValue(text, io.tiyi.proxy.RuntimeConfig.WafPolicy.class)).isEqualTo(standard);
        assertThat(json.readValue(json.writeValueAsString(crs), io.tiyi.proxy.RuntimeConfig.WafPolicy.class).profile()).isEqualTo("crs");
    }
}
