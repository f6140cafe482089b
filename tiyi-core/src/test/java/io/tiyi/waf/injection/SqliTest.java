package io.tiyi.waf.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Detection of common attacks and of ordinary values; fingerprints checked against libinjection 3.9.2. */
class SqliTest {

    @Test
    void classicTautologyInsideSingleQuotes() {
        // Read as the rest of a single-quoted string: '1' or '1'='1' is string, and, string, op, string.
        assertThat(Sqli.detect("1' or '1'='1")).isEqualTo(new Sqli.Result(true, "s&sos"));
    }

    @Test
    void unionSelectWithTrailingComment() {
        Sqli.Result r = Sqli.detect("' UNION SELECT password FROM users--");
        assertThat(r.injection()).isTrue();
        assertThat(r.fingerprint()).isEqualTo("sUEnk");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            admin'--                 | sc
            1 AND 1=1                | 1&1
            1;DROP TABLE users       | 1;Tnn
            /*!union*/               | X
            """)
    void otherAttacks(String input, String fingerprint) {
        assertThat(Sqli.detect(input)).isEqualTo(new Sqli.Result(true, fingerprint));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello world", "O'Reilly", "john.doe@example.com", "1234", "1 union",
        "it's a nice day, isn't it", "a -- b", "\u00e9t\u00e9 \u00a0 caf\u00e9"})
    void ordinaryValuesAreNotInjection(String input) {
        assertThat(Sqli.detect(input)).isEqualTo(new Sqli.Result(false, ""));
    }

    @Test
    void emptyInputIsNotInjection() {
        assertThat(Sqli.detect("")).isEqualTo(new Sqli.Result(false, ""));
    }

    @Test
    void charsBeyondALatin1ByteAreTakenAsWordBytes() {
        assertThat(Sqli.detect("\u4e2d\u6587' or '1'='1").injection()).isTrue();
        assertThat(Sqli.detect("\u4e2d\u6587").injection()).isFalse();
    }

    @Test
    void missingTablesAreReportedClearly() {
        assertThatThrownBy(() -> SqliTables.load(null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SQL injection tables /io/tiyi/waf/injection/sqli-tables.txt are missing")
                .hasMessageContaining("rebuild or reinstall");
    }

    @Test
    void concurrentCallersGetTheSameAnswers() throws Exception {
        String[] inputs = {"1' or '1'='1", "hello world", "' UNION SELECT password FROM users--", "O'Reilly",
            "1 AND 1=1", "admin'--"};
        Sqli.Result[] expected = new Sqli.Result[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            expected[i] = Sqli.detect(inputs[i]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> jobs = new ArrayList<>();
            for (int j = 0; j < 32; j++) {
                jobs.add(() -> {
                    for (int round = 0; round < 500; round++) {
                        for (int i = 0; i < inputs.length; i++) {
                            if (!Sqli.detect(inputs[i]).equals(expected[i])) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
            }
            for (Future<Boolean> f : pool.invokeAll(jobs)) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
