package io.tiyi.waf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-transaction budget of {@link WafLimits}: regex steps and time of phases 1 and 2. */
class TransactionBudgetTest {
    /**
     * Backtracks catastrophically on a run of a's that does not end the value: about 86 million
     * steps for 30 a's. (java.util.regex memoizes the textbook {@code (a+)+$}: a thousand steps.)
     */
    private static final String PATHOLOGICAL = """
            SecRequestBodyAccess On
            SecRule ARGS "@rx (.*a){12}$" "id:100,phase:2,deny,status:403,log,msg:'runaway'"
            """;
    private static final String EVIL = "a".repeat(30) + "!";
    private static final WafLimits SMALL_STEPS = WafLimits.defaults().withBudget(Duration.ofMinutes(1), 10_000);

    private final List<WafEvent> events = new ArrayList<>();

    private TiyiWaf waf(String rules, WafMode mode, WafLimits limits) {
        return TiyiWaf.builder().seclang(rules).policy(WafPolicy.of(mode).withLimits(limits)).listener(events::add).build();
    }

    private static Transaction post(TiyiWaf waf, String body) {
        Transaction tx = waf.newTransaction();
        tx.processConnection("198.51.100.9", 40000, "127.0.0.1", 80);
        tx.processUri("/form", "POST", "HTTP/1.1");
        tx.addRequestHeader("Host", "example.test");
        tx.addRequestHeader("Content-Type", "application/x-www-form-urlencoded");
        if (tx.processRequestHeaders().isEmpty()) {
            tx.appendRequestBody(body.getBytes(StandardCharsets.ISO_8859_1));
            tx.processRequestBody();
        }
        tx.processLogging();
        return tx;
    }

    @Test
    void aRunawayRegexIsRefusedWith503InBlockMode() {
        Transaction tx = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> post(waf(PATHOLOGICAL, WafMode.BLOCK, SMALL_STEPS), "q=" + EVIL));

        assertThat(tx.overBudget()).isTrue();
        assertThat(tx.interruption()).hasValueSatisfying(i -> {
            assertThat(i.status()).isEqualTo(503);
            assertThat(i.ruleId()).isEqualTo(1_990_010L);
            assertThat(i.message()).isEqualTo("inspection over budget (60000 ms / 10000 regex steps)");
        });
        assertThat(tx.errors()).anySatisfy(e -> assertThat(e).contains("regex steps ran out in phase 2 at rule 100"));
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.blocked()).isTrue();
            assertThat(e.matchedRules()).extracting(MatchedRule::id).containsExactly(1_990_010L);
            assertThat(e.matchedRules().get(0).disruptive()).isEqualTo("deny");
        });
    }

    @Test
    void inDetectModeTheRequestPassesWithAnEvent() {
        Transaction tx = post(waf(PATHOLOGICAL, WafMode.DETECT, SMALL_STEPS), "q=" + EVIL);

        assertThat(tx.overBudget()).isTrue();
        assertThat(tx.interruption()).isEmpty();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.blocked()).isFalse();
            assertThat(e.matchedRules()).singleElement().satisfies(m -> {
                assertThat(m.id()).isEqualTo(1_990_010L);
                assertThat(m.message()).isEqualTo("inspection over budget (60000 ms / 10000 regex steps)");
                assertThat(m.disruptive()).isEqualTo("pass");
            });
        });
    }

    @Test
    void withoutBlockOverBudgetTheRequestPassesInBlockModeToo() {
        Transaction tx = post(waf(PATHOLOGICAL, WafMode.BLOCK, SMALL_STEPS.withBlockOverBudget(false)), "q=" + EVIL);

        assertThat(tx.overBudget()).isTrue();
        assertThat(tx.interruption()).isEmpty();
        assertThat(events).singleElement().satisfies(e -> assertThat(e.matchedRules()).extracting(MatchedRule::id).containsExactly(1_990_010L));
    }

    @Test
    void evaluationStopsAtTheBudgetSoLaterRulesDoNotRun() {
        String rules = PATHOLOGICAL + """
                SecRule ARGS "@contains attack" "id:101,phase:2,deny,status:403,log,msg:'attack'"
                """;
        Transaction tx = post(waf(rules, WafMode.BLOCK, SMALL_STEPS.withBlockOverBudget(false)), "q=" + EVIL + "&r=attack");

        assertThat(tx.overBudget()).isTrue();
        assertThat(tx.interruption()).isEmpty();
        assertThat(tx.matchedRules()).extracting(MatchedRule::id).containsExactly(1_990_010L);
    }

    @Test
    void theTimeBudgetCoversPhasesOneAndTwo() {
        StringBuilder rules = new StringBuilder("SecRequestBodyAccess On\n");
        for (int i = 0; i < 50; i++) {
            rules.append("SecRule ARGS \"@contains attack").append(i).append("\" \"id:").append(200 + i).append(",phase:2,deny,status:403\"\n");
        }
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            body.append(i == 0 ? "" : "&").append("a").append(i).append("=benign");
        }
        WafLimits tiny = WafLimits.defaults().withBudget(Duration.ofNanos(1), 50_000_000);
        Transaction tx = post(waf(rules.toString(), WafMode.BLOCK, tiny), body.toString());

        assertThat(tx.overBudget()).isTrue();
        assertThat(tx.interruption()).map(Interruption::status).contains(503);
        assertThat(tx.interruption()).map(Interruption::message).contains("inspection over budget (0 ms / 50000000 regex steps)");
        assertThat(tx.errors()).anySatisfy(e -> assertThat(e).contains("time ran out in phase 2"));
    }

    @Test
    void ordinaryTrafficStaysWithinTheDefaultBudget() {
        Transaction tx = post(waf(PATHOLOGICAL, WafMode.BLOCK, WafLimits.defaults()), "q=hello&r=banana");

        assertThat(tx.overBudget()).isFalse();
        assertThat(tx.interruption()).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void regexStepsAreChargedPerTransactionNotPerValue() {
        // No literal to prefilter on: the matcher reads every value, about 200 steps each.
        String rules = """
                SecRequestBodyAccess On
                SecRule ARGS "@rx ^\\w+$" "id:100,phase:2,pass,nolog"
                """;
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            body.append(i == 0 ? "" : "&").append("a").append(i).append('=').append("x".repeat(200));
        }
        Transaction one = post(waf(rules, WafMode.BLOCK, SMALL_STEPS), "q=" + "x".repeat(200));
        Transaction many = post(waf(rules, WafMode.BLOCK, SMALL_STEPS), body.toString());

        assertThat(one.overBudget()).isFalse();
        assertThat(many.overBudget()).isTrue();
        assertThat(many.interruption()).map(Interruption::status).contains(503);
    }
}
