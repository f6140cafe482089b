package io.tiyi.waf.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Chains share their prefixes' results within a transaction: each must still see its own list's result. */
class TransformChainTest {
    private static Transaction run(String rules, String query) {
        TiyiWaf waf = TiyiWaf.builder().seclang("SecRuleEngine On\n" + rules).build();
        Transaction tx = waf.newTransaction();
        tx.processUri("/?q=" + query, "GET", "HTTP/1.1");
        tx.processRequestHeaders();
        tx.processRequestBody();
        return tx;
    }

    @Test
    void eachChainSeesItsOwnStepsWhateverOrderPrefixesAreReachedIn() {
        // The longest chain first, so that its prefixes are filled on the way; then the prefixes,
        // then a sibling that leaves the shared prefix at its last step.
        String rules = """
                SecRule ARGS:q "@rx ^(.*)$" "id:1,phase:1,pass,nolog,capture,t:urlDecodeUni,t:lowercase,t:compressWhitespace,setvar:tx.full=%{TX.1}"
                SecRule ARGS:q "@rx ^(.*)$" "id:2,phase:1,pass,nolog,capture,t:urlDecodeUni,setvar:tx.decoded=%{TX.1}"
                SecRule ARGS:q "@rx ^(.*)$" "id:3,phase:1,pass,nolog,capture,t:urlDecodeUni,t:lowercase,setvar:tx.lower=%{TX.1}"
                SecRule ARGS:q "@rx ^(.*)$" "id:4,phase:1,pass,nolog,capture,t:urlDecodeUni,t:removeWhitespace,setvar:tx.nospace=%{TX.1}"
                SecRule ARGS:q "@rx ^(.*)$" "id:5,phase:1,pass,nolog,capture,setvar:tx.raw=%{TX.1}"
                SecRule ARGS:q "@rx ^(.*)$" "id:6,phase:1,pass,nolog,capture,t:lowercase,setvar:tx.rawlower=%{TX.1}"
                """;
        Transaction tx = run(rules, "SELECT%2520%2520%252A%2520FROM%2509T"); // ARGS holds it decoded once
        Map<String, String> expected = Map.of("full", "select * from t", "decoded", "SELECT  * FROM\tT", "lower", "select  * from\tt",
                "nospace", "SELECT*FROMT", "raw", "SELECT%20%20%2A%20FROM%09T", "rawlower", "select%20%20%2a%20from%09t");
        assertThat(expected).allSatisfy((name, value) -> assertThat(tx.variable("TX", name)).as(name).isEqualTo(value));
    }

    @Test
    void aShortChainReachedFirstIsExtendedByTheLongerOnesLater() {
        String rules = """
                SecRule ARGS:q "@rx ^(.*)$" "id:1,phase:1,pass,nolog,capture,t:urlDecodeUni,setvar:tx.decoded=%{TX.1}"
                SecRule ARGS:q "@rx ^(.*)$" "id:2,phase:1,pass,nolog,capture,t:urlDecodeUni,t:lowercase,t:compressWhitespace,setvar:tx.full=%{TX.1}"
                """;
        Transaction tx = run(rules, "A%2520%2520B");
        assertThat(tx.variable("TX", "decoded")).isEqualTo("A  B");
        assertThat(tx.variable("TX", "full")).isEqualTo("a b");
    }
}
