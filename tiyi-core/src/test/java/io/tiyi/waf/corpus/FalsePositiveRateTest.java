package io.tiyi.waf.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.waf.MatchedRule;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import io.tiyi.waf.WafMode;
import io.tiyi.waf.WafPolicy;
import io.tiyi.waf.WafProfile;
import io.tiyi.waf.crs.CrsFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The share of {@link BenignCorpus} requests each profile blocks, with the CRS at paranoia 1 in
 * block mode. The figures, the kinds of request blocked and the rules that blocked them go to
 * {@code target/false-positives.txt}, with two sample requests of each kind blocked; the bounds
 * hold the standard profile to what it reached, so that a change that blocks more benign traffic
 * fails here.
 */
class FalsePositiveRateTest {
    private static final int REQUESTS = 20_000;

    @Test
    void theStandardProfileBlocksFewBenignRequestsAndFarFewerThanTheCrsAsItShips() throws IOException {
        List<BenignCorpus.Request> corpus = new BenignCorpus(20261207).generate(REQUESTS);
        StringBuilder report = new StringBuilder();
        double standard = rate(WafProfile.STANDARD, corpus, report);
        double crs = rate(WafProfile.CRS, corpus, report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/false-positives.txt"), report);
        System.out.print(report);
        // 0.10 % when this was written (the CRS as it ships: 25.3 %); the goal is under 1 %.
        assertThat(standard).as("standard profile, share of benign requests blocked").isLessThan(0.005);
        assertThat(crs).as("the CRS as it ships blocks the modern formats this corpus holds").isGreaterThan(standard * 5);
    }

    private static double rate(WafProfile profile, List<BenignCorpus.Request> corpus, StringBuilder report) {
        TiyiWaf waf = TiyiWaf.builder().crs(CrsFixtures.shared()).policy(WafPolicy.of(WafMode.BLOCK).withProfile(profile)).build();
        Map<String, Integer> byKind = new TreeMap<>();
        Map<String, Integer> totalByKind = new TreeMap<>();
        Map<Long, Integer> byRule = new TreeMap<>();
        Map<String, Map<Long, Integer>> kindRules = new TreeMap<>();
        Map<String, Integer> samples = new TreeMap<>();
        int blocked = 0;
        for (BenignCorpus.Request q : corpus) {
            totalByKind.merge(q.kind(), 1, Integer::sum);
            Transaction tx = waf.newTransaction();
            tx.processConnection("198.51.100.23", 50000, "10.0.0.1", 443);
            tx.processUri(q.uri(), q.method(), "HTTP/1.1");
            tx.addRequestHeader("Host", "shop.test");
            q.headers().forEach(tx::addRequestHeader);
            if (q.body() != null) {
                tx.addRequestHeader("Content-Length", Integer.toString(q.body().length));
            }
            if (tx.processRequestHeaders().isEmpty() && q.body() != null) {
                tx.appendRequestBody(q.body());
            }
            if (tx.interruption().isEmpty()) {
                tx.processRequestBody();
            }
            if (tx.interruption().isPresent()) {
                blocked++;
                byKind.merge(q.kind(), 1, Integer::sum);
                for (MatchedRule m : tx.matchedRules()) {
                    if (m.id() < 949000 || m.id() > 949999) {
                        byRule.merge(m.id(), 1, Integer::sum);
                        kindRules.computeIfAbsent(q.kind(), k -> new TreeMap<>()).merge(m.id(), 1, Integer::sum);
                    }
                }
                if (samples.merge(q.kind(), 1, Integer::sum) <= 2) {
                    report.append("  sample ").append(q.kind()).append(' ').append(q.method()).append(' ').append(q.uri()).append(' ')
                            .append(tx.matchedRules().stream().map(m -> m.id() + ":" + m.variable() + "=" + (m.value() == null ? "" : m.value().substring(0, Math.min(120, m.value().length())))).collect(Collectors.joining(" | "))).append('\n');
                }
            }
        }
        double rate = blocked / (double) corpus.size();
        report.append(String.format("profile %s: %d of %d benign requests blocked (%.2f %%)%n", profile.id(), blocked, corpus.size(), rate * 100));
        report.append("  blocked by kind: ").append(byKind.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue() + "/" + totalByKind.get(e.getKey())).collect(Collectors.joining(", "))).append('\n');
        report.append("  rules in blocked requests: ").append(byRule.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(15)
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))).append('\n');
        kindRules.forEach((k, m) -> report.append("  ").append(k).append(": ").append(m).append('\n'));
        return rate;
    }
}
