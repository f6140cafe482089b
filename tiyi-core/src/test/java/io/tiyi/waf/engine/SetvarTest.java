package io.tiyi.waf.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Scores and copies made by {@code setvar}, with constant and macro amounts read once at load. */
class SetvarTest {
    @Test
    void addsSubtractsAndCopiesWithConstantAndReferencedAmounts() {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecRuleEngine DetectionOnly
                SecAction "id:1,phase:1,pass,nolog,setvar:tx.critical=5,setvar:tx.score=+%{tx.critical},setvar:tx.score=+3,\
                setvar:tx.score=-1,setvar:tx.score=+%{TX.Critical},setvar:'tx.copy=%{tx.score}',setvar:'tx.text=a%{tx.score}b',\
                setvar:tx.neg=-%{tx.critical},setvar:tx.junk=+x12,setvar:tx.pad=+%{tx.padded},setvar:tx.header=%{request_headers.host}"
                SecRule TX:score "@eq 12" "id:2,phase:1,pass,log"
                """).build();
        Transaction tx = EvaluationCountsTest.request(waf, "GET", "/", null, null);
        assertThat(EvaluationCountsTest.ids(tx)).containsExactly(2L);
        assertThat(tx.variable("TX", "score")).isEqualTo("12");
        assertThat(tx.variable("TX", "copy")).isEqualTo("12");
        assertThat(tx.variable("TX", "text")).isEqualTo("a12b");
        assertThat(tx.variable("TX", "neg")).isEqualTo("-5");
        assertThat(tx.variable("TX", "junk")).isEqualTo("0");
        assertThat(tx.variable("TX", "pad")).isEqualTo("0");
        assertThat(tx.variable("TX", "header")).isEqualTo("bench.local");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "+", "0", "-0", "+7", "42", "-42", " 42 ", "42abc", "abc", "4 2", "999999999999999999", "9999999999999999999",
        "-9223372036854775808", "\u0661\u0662", "12\u0663", "1.5", "+-1"})
    void readsNumbersAsTheGeneralParserDoes(String s) {
        assertThat(Numbers.parse(s)).isEqualTo(Numbers.general(s));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {"42abc|42", "' 42 '|42", "abc|0", "''|0", "+7|7", "-42|-42", "1.5|1",
        "9999999999999999999|0", "+-1|0", "١٢|12"})
    void theGeneralReadingTakesLeadingDigitsAndGivesZeroOtherwise(String s, long expected) {
        assertThat(Numbers.general(s)).as(s).isEqualTo(expected);
    }

    @Test
    void readsRandomNumbersAsTheGeneralParserDoes() {
        Random r = new Random(3);
        String alphabet = "0123456789-+ x";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int k = r.nextInt(22); k > 0; k--) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String s = b.toString();
            assertThat(Numbers.parse(s)).as(s).isEqualTo(Numbers.general(s));
        }
    }
}
