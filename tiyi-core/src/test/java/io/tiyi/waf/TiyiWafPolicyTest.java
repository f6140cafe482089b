package io.tiyi.waf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TiyiWafPolicyTest {
    private static final String RULES = """
            SecRule ARGS "@contains attack" "id:100,phase:2,deny,status:403,log,msg:'attack',tag:'demo'"
            SecRule REQUEST_HEADERS:User-Agent "@contains scanner" "id:101,phase:1,deny,status:403,log,msg:'scanner'"
            """;

    private static Optional<Interruption> run(TiyiWaf waf, String method, String uri) {
        Transaction tx = waf.newTransaction();
        tx.processConnection("198.51.100.9", 40000, "127.0.0.1", 80);
        tx.processUri(uri, method, "HTTP/1.1");
        tx.addRequestHeader("Host", "example.test");
        Optional<Interruption> i = tx.processRequestHeaders();
        if (i.isEmpty()) {
            i = tx.processRequestBody();
        }
        tx.processLogging();
        return i;
    }

    @Test
    void thePolicySetsModeParanoiaAndThresholds() {
        TiyiWaf waf = TiyiWaf.builder().seclang(RULES).policy(WafPolicy.of(WafMode.BLOCK).withParanoia(3).withThresholds(10, 8)).build();
        assertThat(waf.mode()).contains(WafMode.BLOCK);
        Transaction tx = waf.newTransaction();
        tx.processUri("/", "GET", "HTTP/1.1");
        tx.processRequestHeaders();
        assertThat(tx.variable("TX", "blocking_paranoia_level")).isEqualTo("3");
        assertThat(tx.variable("TX", "inbound_anomaly_score_threshold")).isEqualTo("10");
        assertThat(tx.variable("TX", "outbound_anomaly_score_threshold")).isEqualTo("8");
        assertThat(run(waf, "GET", "/?q=attack")).map(Interruption::ruleId).contains(100L);

        TiyiWaf detect = TiyiWaf.builder().seclang(RULES).policy(WafPolicy.of(WafMode.DETECT)).build();
        assertThat(run(detect, "GET", "/?q=attack")).isEmpty();
    }

    @Test
    void exclusionsApplyEverywhereOrOnlyOnTheirPathAndMethod() {
        WafPolicy base = WafPolicy.of(WafMode.BLOCK);
        TiyiWaf everywhere = TiyiWaf.builder().seclang(RULES).policy(base.withExclusion(RuleExclusion.rule(100))).build();
        assertThat(run(everywhere, "GET", "/any?q=attack")).isEmpty();

        TiyiWaf scoped = TiyiWaf.builder().seclang(RULES)
                .policy(base.withExclusion(RuleExclusion.rule(100).onPath("/search").onMethod("get"))).build();
        assertThat(run(scoped, "GET", "/search?q=attack")).isEmpty();
        assertThat(run(scoped, "POST", "/search?q=attack")).isPresent();
        assertThat(run(scoped, "GET", "/other?q=attack")).isPresent();

        TiyiWaf byTag = TiyiWaf.builder().seclang(RULES).policy(base.withExclusion(RuleExclusion.tag("demo").onPath("/cms/"))).build();
        assertThat(run(byTag, "GET", "/cms/page?q=attack")).isEmpty();
        assertThat(run(byTag, "GET", "/page?q=attack")).isPresent();

        TiyiWaf byTarget = TiyiWaf.builder().seclang(RULES).policy(base.withExclusion(RuleExclusion.rule(100).target("ARGS:q"))).build();
        assertThat(run(byTarget, "GET", "/?q=attack")).isEmpty();
        assertThat(run(byTarget, "GET", "/?r=attack")).isPresent();
    }

    @Test
    void thePolicyOrderDoesNotDependOnWhenItIsGiven() {
        TiyiWaf first = TiyiWaf.builder().policy(WafPolicy.of(WafMode.BLOCK).withExclusion(RuleExclusion.rule(100))).seclang(RULES).build();
        assertThat(run(first, "GET", "/?q=attack")).isEmpty();
        assertThat(first.requestBodyLimit()).isEqualTo(WafPolicy.DEFAULT_REQUEST_BODY_LIMIT);
        TiyiWaf limited = TiyiWaf.builder().seclang(RULES).policy(WafPolicy.of(WafMode.BLOCK).withRequestBodyLimit(4096)).build();
        assertThat(limited.requestBodyLimit()).isEqualTo(4096);
    }

    @Test
    void badPolicyValuesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> WafPolicy.of(WafMode.BLOCK).withParanoia(5)).hasMessageContaining("paranoia must be 1 to 4, got 5");
        assertThatThrownBy(() -> WafPolicy.of(WafMode.BLOCK).withThresholds(0, 4)).hasMessageContaining("inboundThreshold");
        assertThatThrownBy(() -> WafPolicy.of(WafMode.BLOCK).withRequestBodyLimit(0)).hasMessageContaining("requestBodyLimit");
        assertThatThrownBy(() -> RuleExclusion.rule(0)).hasMessageContaining("either a rule id");
        assertThatThrownBy(() -> RuleExclusion.rule(1).onPath("/a\" \"id:9,deny")).hasMessageContaining("pathPrefix");
        assertThatThrownBy(() -> RuleExclusion.rule(1).onPath("search")).hasMessageContaining("pathPrefix");
        assertThatThrownBy(() -> RuleExclusion.rule(1).onMethod("GET POST")).hasMessageContaining("method");
        assertThatThrownBy(() -> RuleExclusion.rule(1).target("ARGS|ARGS_NAMES")).hasMessageContaining("target");
        assertThatThrownBy(() -> RuleExclusion.tag("a b")).hasMessageContaining("tag");
    }

    @Test
    void eventsReachTheListenerAndAFailingListenerDoesNotBreakTheTransaction() {
        List<WafEvent> seen = new ArrayList<>();
        TiyiWaf waf = TiyiWaf.builder().seclang(RULES).policy(WafPolicy.of(WafMode.BLOCK)).listener(seen::add).build();
        assertThat(run(waf, "GET", "/?ok=1")).isEmpty();
        assertThat(seen).as("nothing matched, nothing to report").isEmpty();
        run(waf, "GET", "/x?q=attack");
        assertThat(seen).singleElement().satisfies(e -> {
            assertThat(e.clientIp()).isEqualTo("198.51.100.9");
            assertThat(e.uri()).isEqualTo("/x?q=attack");
            assertThat(e.interruption()).map(Interruption::status).contains(403);
            assertThat(e.matchedRules()).extracting(MatchedRule::id).containsExactly(100L);
        });

        TiyiWaf broken = TiyiWaf.builder().seclang(RULES).policy(WafPolicy.of(WafMode.BLOCK)).listener(e -> {
            throw new IllegalStateException("listener bug");
        }).build();
        assertThat(run(broken, "GET", "/x?q=attack")).map(Interruption::ruleId).contains(100L);
    }
}
