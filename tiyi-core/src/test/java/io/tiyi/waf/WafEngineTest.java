package io.tiyi.waf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.waf.seclang.SecLangException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WafEngineTest {
    static Transaction get(TiyiWaf waf, String uri, String... headers) {
        Transaction tx = waf.newTransaction("t1");
        tx.processConnection("203.0.113.9", 5555, "127.0.0.1", 80);
        tx.processUri(uri, "GET", "HTTP/1.1");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            tx.addRequestHeader(headers[i], headers[i + 1]);
        }
        tx.processRequestHeaders();
        tx.processRequestBody();
        return tx;
    }

    static Transaction post(TiyiWaf waf, String contentType, String body) {
        Transaction tx = waf.newTransaction();
        tx.processUri("/submit", "POST", "HTTP/1.1");
        tx.addRequestHeader("Content-Type", contentType);
        tx.processRequestHeaders();
        tx.appendRequestBody(body.getBytes(StandardCharsets.ISO_8859_1));
        tx.processRequestBody();
        return tx;
    }

    static List<Long> ids(Transaction tx) {
        return tx.matchedRules().stream().map(MatchedRule::id).toList();
    }

    @Test
    void denyInterruptsWithStatusAndMessage() {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecRuleEngine On
                SecRule ARGS:q "@rx (?i)union\\s+select" "id:1,phase:1,deny,status:406,t:urlDecodeUni,msg:'SQLi in %{MATCHED_VAR_NAME}'"
                """).build();
        Transaction tx = get(waf, "/?q=1%20UNION%20%20select%202");
        Optional<Interruption> i = tx.interruption();
        assertThat(i).isPresent();
        assertThat(i.get().status()).isEqualTo(406);
        assertThat(i.get().ruleId()).isEqualTo(1);
        assertThat(tx.matchedRules().get(0).message()).isEqualTo("SQLi in ARGS:q");
        assertThat(get(waf, "/?q=hello").interruption()).isEmpty();
    }

    @Test
    void detectionOnlyMatchesWithoutInterrupting() {
        TiyiWaf waf = TiyiWaf.builder().seclang("SecRuleEngine DetectionOnly\nSecRule ARGS \"@contains evil\" \"id:2,phase:1,deny\"").build();
        Transaction tx = get(waf, "/?a=evil");
        assertThat(tx.interruption()).isEmpty();
        assertThat(ids(tx)).containsExactly(2L);
        TiyiWaf blocking = TiyiWaf.builder().seclang("SecRuleEngine DetectionOnly\nSecRule ARGS \"@contains evil\" \"id:2,phase:1,deny\"")
                .mode(WafMode.BLOCK).build();
        assertThat(get(blocking, "/?a=evil").interruption()).isPresent();
    }

    @Test
    void chainsSetvarArithmeticAndAnomalyThreshold() {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecDefaultAction "phase:1,log,auditlog,pass"
                SecAction "id:10,phase:1,nolog,pass,setvar:tx.score=0,setvar:tx.threshold=5"
                SecRule REQUEST_HEADERS:User-Agent "@pm sqlmap nikto" "id:11,phase:1,block,setvar:tx.score=+%{tx.critical}"
                SecAction "id:12,phase:1,nolog,pass,setvar:tx.critical=5"
                SecRule REQUEST_METHOD "@streq GET" "id:13,phase:1,block,chain,msg:'chained'"
                    SecRule ARGS:x "@eq 7" "setvar:tx.score=+5"
                SecRule TX:SCORE "@ge %{tx.threshold}" "id:19,phase:1,deny,msg:'score %{tx.score}'"
                """).build();
        Transaction tx = get(waf, "/?x=7", "User-Agent", "sqlmap/1.0");
        assertThat(ids(tx)).containsExactly(11L, 13L, 19L);
        assertThat(tx.variable("TX", "score")).isEqualTo("5");
        assertThat(tx.interruption().get().message()).isEqualTo("score 5");
        assertThat(get(waf, "/?x=8", "User-Agent", "curl").interruption()).isEmpty();
    }

    @Test
    void skipAfterJumpsToTheMarker() {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecRule ARGS:pl "@lt 2" "id:20,phase:1,pass,nolog,skipAfter:END-PL2"
                SecRule ARGS "@contains x" "id:21,phase:1,pass,log"
                SecMarker END-PL2
                SecRule ARGS "@contains x" "id:22,phase:1,pass,log,skip:1"
                SecRule ARGS "@contains x" "id:23,phase:1,pass,log"
                SecRule ARGS "@contains x" "id:24,phase:1,pass,log"
                """).build();
        assertThat(ids(get(waf, "/?pl=1&a=x"))).containsExactly(22L, 24L);
        assertThat(ids(get(waf, "/?pl=3&a=x"))).containsExactly(21L, 22L, 24L);
    }

    @Test
    void exclusionsByRuleAndCtl() {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecRule REQUEST_FILENAME "@beginsWith /admin" "id:30,phase:1,pass,nolog,ctl:ruleRemoveTargetById=33;ARGS:pw"
                SecRule REQUEST_FILENAME "@beginsWith /off" "id:31,phase:1,pass,nolog,ctl:ruleRemoveById=33"
                SecRule ARGS|!ARGS:safe "@contains '" "id:33,phase:1,pass,log"
                """).build();
        assertThat(ids(get(waf, "/x?safe=a'b"))).isEmpty();
        assertThat(ids(get(waf, "/x?pw=a'b"))).containsExactly(33L);
        assertThat(ids(get(waf, "/admin?pw=a'b"))).isEmpty();
        assertThat(ids(get(waf, "/admin?other=a'b"))).containsExactly(33L);
        assertThat(ids(get(waf, "/off?other=a'b"))).isEmpty();
    }

    @Test
    void countsRegexKeysAndCapture() {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecRule &ARGS "@gt 2" "id:40,phase:1,pass,log"
                SecRule ARGS:/^id_/ "@rx ^(\\d+)-(\\d+)$" "id:41,phase:1,pass,log,capture,setvar:tx.first=%{tx.1}"
                SecRule &REQUEST_HEADERS:X-Missing "@eq 0" "id:42,phase:1,pass,log"
                """).build();
        Transaction tx = get(waf, "/?a=1&b=2&id_x=12-34");
        assertThat(ids(tx)).containsExactly(40L, 41L, 42L);
        assertThat(tx.variable("TX", "first")).isEqualTo("12");
        assertThat(tx.variable("TX", "0")).isEqualTo("12-34");
    }

    @Test
    void requestBodiesAreParsed() {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecRequestBodyAccess On
                SecRule ARGS_POST:user.name|ARGS_POST:json.user.name "@streq bob" "id:50,phase:2,pass,log"
                SecRule ARGS_POST:comment "@contains hello" "id:51,phase:2,pass,log"
                SecRule FILES "@endsWith .php" "id:52,phase:2,pass,log"
                SecRule XML:/* "@contains secret" "id:53,phase:2,pass,log"
                SecRule REQBODY_ERROR "!@eq 0" "id:54,phase:2,pass,log"
                """).build();
        assertThat(ids(post(waf, "application/x-www-form-urlencoded", "comment=hello+world&x=1"))).containsExactly(51L);
        assertThat(ids(post(waf, "application/json", "{\"user\":{\"name\":\"bob\"},\"tags\":[1,2]}"))).containsExactly(50L);
        assertThat(ids(post(waf, "application/json", "{broken"))).containsExactly(54L);
        assertThat(ids(post(waf, "text/xml", "<a><b>my secret</b></a>"))).containsExactly(53L);
        String mp = "--XyZ\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nhello there\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"shell.php\"\r\nContent-Type: text/plain\r\n\r\n<?php ?>\r\n--XyZ--\r\n";
        assertThat(ids(post(waf, "multipart/form-data; boundary=XyZ", mp))).containsExactly(51L, 52L);
    }

    @Test
    void bodyLimitDirectivesMakeBodyErrors() {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecArgumentsLimit 2
                SecRequestBodyJsonDepthLimit 1
                SecRequestBodyNoFilesLimit 20
                SecRule REQBODY_ERROR "!@eq 0" "id:54,phase:2,deny,status:400,msg:'%{REQBODY_ERROR_MSG}'"
                """).build();
        assertThat(post(waf, "application/x-www-form-urlencoded", "a=1&b=2").interruption()).isEmpty();
        assertThat(post(waf, "application/x-www-form-urlencoded", "a=1&b=2&c=3").interruption().map(Interruption::message))
                .hasValueSatisfying(m -> assertThat(m).startsWith("more than 2 arguments (SecArgumentsLimit 2)"));
        assertThat(post(waf, "application/json", "{\"a\":[1]}").interruption().map(Interruption::message))
                .hasValueSatisfying(m -> assertThat(m).startsWith("JSON nested deeper than 1 levels"));
        assertThat(post(waf, "text/plain", "x".repeat(21)).interruption().map(Interruption::message)).isEmpty();
        assertThat(post(waf, "application/x-www-form-urlencoded", "a=" + "x".repeat(19)).interruption().map(Interruption::message))
                .hasValueSatisfying(m -> assertThat(m).contains("SecRequestBodyNoFilesLimit 20"));
        assertThatThrownBy(() -> TiyiWaf.builder().seclang("SecArgumentsLimit 0").build()).isInstanceOf(SecLangException.class)
                .hasMessageContaining("SecArgumentsLimit expects a number from 1 to");
    }

    @Test
    void catastrophicRegexGivesUpAndEvaluationContinues() {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecRule ARGS:a "@rx (.*a){12}x" "id:60,phase:1,pass,log"
                SecRule ARGS:a "@contains aaa" "id:61,phase:1,pass,log"
                """).build();
        Transaction tx = get(waf, "/?a=" + "a".repeat(40) + "!");
        assertThat(ids(tx)).containsExactly(61L);
        assertThat(tx.errors()).anySatisfy(e -> assertThat(e).contains("rule 60").contains("gave up"));
    }

    @Test
    void loadErrorsNameFileLineAndProblem() {
        assertThatThrownBy(() -> TiyiWaf.builder().seclang("SecRuleEngine On\n\nSecRule ARGS \"@rx a\" \"phase:1,deny\"").build())
                .isInstanceOf(SecLangException.class).hasMessageContaining("<inline>:3").hasMessageContaining("no id");
        assertThatThrownBy(() -> TiyiWaf.builder().seclang("SecRule ARGS \"@nope x\" \"id:1\"").build())
                .hasMessageContaining("<inline>:1").hasMessageContaining("unknown operator @nope");
        assertThatThrownBy(() -> TiyiWaf.builder().seclang("SecRule ARGS \"@rx (\" \"id:1\"").build())
                .hasMessageContaining("invalid regular expression");
        assertThatThrownBy(() -> TiyiWaf.builder().seclang("SecRule ARGS \"@rx a\" \"id:1,t:bogus\"").build())
                .hasMessageContaining("unknown transformation t:bogus");
        assertThatThrownBy(() -> TiyiWaf.builder().seclang("SecRule ARGS \"@rx a\" \"id:1,phase:1,pass\"\nSecRule ARGS \"@rx b\" \"id:1,phase:1\"").build())
                .hasMessageContaining("duplicate rule id 1");
        assertThatThrownBy(() -> TiyiWaf.builder().seclang("SecFrobnicate On").build()).hasMessageContaining("unknown directive SecFrobnicate");
        assertThatThrownBy(() -> TiyiWaf.builder().seclang("SecRule ARGS \"@rx a\" \"id:1,chain\"").build())
                .hasMessageContaining("ends with 'chain'");
        assertThatThrownBy(() -> TiyiWaf.builder().seclang("SecRule ARGS \"@rx a\" \"id:1,msg:'oops\"").build())
                .hasMessageContaining("unterminated single quote");
    }

    @Test
    void ruleUpdatesAndRemovals() {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecRule ARGS "@contains x" "id:70,phase:1,pass,log,tag:'attack-x'"
                SecRule ARGS "@contains x" "id:71,phase:1,pass,log,tag:'attack-y'"
                SecRule ARGS "@contains x" "id:72,phase:1,pass,log"
                SecRuleRemoveByTag attack-y
                SecRuleUpdateTargetById 70 "!ARGS:ok"
                SecRuleUpdateActionById 72 "deny,status:409"
                """).build();
        assertThat(ids(get(waf, "/?ok=x"))).containsExactly(72L);
        assertThat(get(waf, "/?ok=x").interruption().get().status()).isEqualTo(409);
        assertThat(waf.hasRule(71)).isFalse();
    }
}
