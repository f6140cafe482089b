package io.tiyi.waf;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The engine's per-thread matchers and its warm-up: what a host running it on many threads relies on. */
class EngineThreadingTest {
    private static final String RULES = """
            SecRuleEngine On
            SecRule ARGS "@rx (?i)union\\s+select\\s+(\\w+)" "id:1,phase:1,deny,status:403,capture,setvar:tx.col=%{TX.1}"
            SecRule ARGS "@rx ^(?:\\d{1,5})$" "id:2,phase:1,pass,nolog,setvar:tx.numeric=+1"
            SecRule REQUEST_HEADERS:User-Agent "@rx (?i)(sqlmap|nikto)/([\\d.]+)" "id:3,phase:1,pass,log,capture,setvar:tx.scanner=%{TX.1}"
            SecRule ARGS_POST "@rx (?i)<script[^>]*>" "id:4,phase:2,deny,status:403"
            """;

    private static Transaction request(TiyiWaf waf, int i) {
        Transaction tx = waf.newTransaction("t" + i);
        tx.processConnection("203.0.113.9", 5555, "127.0.0.1", 80);
        boolean attack = i % 3 == 0;
        tx.processUri(attack ? "/?id=1+UNION+SELECT+col" + i : "/?id=" + (i % 10_000) + "&q=shoes", "GET", "HTTP/1.1");
        tx.addRequestHeader("User-Agent", i % 5 == 0 ? "sqlmap/1." + i : "Mozilla/5.0");
        tx.processRequestHeaders();
        tx.processRequestBody();
        return tx;
    }

    private static void check(Transaction tx, int i) {
        if (i % 3 == 0) {
            assertThat(tx.interruption()).as("request %d", i).isPresent();
            assertThat(tx.variable("TX", "col")).as("request %d", i).isEqualTo("col" + i);
        } else {
            assertThat(tx.interruption()).as("request %d", i).isEmpty();
            assertThat(tx.variable("TX", "numeric")).as("request %d", i).isEqualTo("1");
        }
        if (i % 5 == 0 && i % 3 != 0) {
            assertThat(tx.variable("TX", "scanner")).as("request %d", i).isEqualTo("sqlmap");
        }
    }

    @Test
    void transactionsOnManyThreadsEachSeeTheirOwnMatchesAndCaptures() throws Exception {
        TiyiWaf waf = TiyiWaf.builder().seclang(RULES).build();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int i = first; i < 20_000; i += 4) {
                        check(request(waf, i), i);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTransactionWhosePhasesRunOnDifferentThreadsUsesEachThreadsMatchers() throws Exception {
        TiyiWaf waf = TiyiWaf.builder().seclang(RULES).build();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            for (int i = 1; i < 200; i++) {
                Transaction tx = waf.newTransaction();
                tx.processUri("/comment", "POST", "HTTP/1.1");
                tx.addRequestHeader("Content-Type", "application/x-www-form-urlencoded");
                tx.addRequestHeader("User-Agent", "nikto/2." + i);
                assertThat(tx.processRequestHeaders()).isEmpty();
                int n = i;
                // Phase 2 on another thread, while this one runs a transaction of its own.
                Future<Boolean> blocked = other.submit(() -> {
                    tx.appendRequestBody(("text=" + (n % 2 == 0 ? "<script>alert(1)</script>" : "hello")).getBytes());
                    return tx.processRequestBody().isPresent();
                });
                check(request(waf, 3 * n), 3 * n);
                assertThat(blocked.get()).as("request %d", i).isEqualTo(i % 2 == 0);
                assertThat(tx.variable("TX", "scanner")).isEqualTo("nikto");
            }
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void warmUpRunsRequestsOfItsOwnThatNoListenerHearsOf() {
        AtomicInteger events = new AtomicInteger();
        TiyiWaf waf = TiyiWaf.builder()
                .seclang("SecRuleEngine On\nSecRule REQUEST_HEADERS:User-Agent \"@rx Mozilla\" \"id:9,phase:1,pass,log\"")
                .listener(e -> events.incrementAndGet())
                .build();
        assertThat(waf.warmUp(Duration.ZERO)).isZero();
        assertThat(waf.warmUp(Duration.ofMillis(-5))).isZero();
        assertThat(waf.warmUp(Duration.ofMillis(200))).isPositive();
        assertThat(events).hasValue(0);
        // Real transactions still reach the listener.
        Transaction tx = waf.newTransaction();
        tx.processUri("/", "GET", "HTTP/1.1");
        tx.addRequestHeader("User-Agent", "Mozilla/5.0");
        tx.processRequestHeaders();
        tx.processRequestBody();
        tx.processLogging();
        assertThat(events).hasValue(1);
    }
}
