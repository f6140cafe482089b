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
        assertThat(Numbers.parse(s)).isEqualTo(reference(s));
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
            assertThat(Numbers.parse(s)).as(s).isEqualTo(reference(s));
        }
    }

    /** SecLang's reading, written plainly: trim, optional sign, leading digits, 0 when none or too large. */
    private static long reference(String s) {
        String t = s.trim();
        int end = 0;
        if (end < t.length() && (t.charAt(end) == '-' || t.charAt(end) == '+')) {
            end++;
        }
        int digits = end;
        while (end < t.length() && Character.isDigit(t.charAt(end))) {
            end++;
        }
        if (end == digits) {
            return 0;
        }
        try {
            return Long.parseLong(t.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
