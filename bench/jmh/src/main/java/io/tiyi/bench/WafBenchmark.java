package io.tiyi.bench;

import io.tiyi.waf.Interruption;
import io.tiyi.waf.MatchedRule;
import io.tiyi.waf.Transaction;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.WafLimits;
import io.tiyi.waf.WafMode;
import io.tiyi.waf.WafPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One whole WAF transaction (phases 1 to 5) per operation, with the OWASP CRS at paranoia level 1
 * and 2 in blocking mode. The requests are benign: the time is what every legitimate request pays.
 * {@link #setup()} checks that none of them is interrupted and that a SQL injection is.
 *
 * <p>The argument caps and the per-transaction budget of {@link WafLimits} are lifted: the 64 KB
 * JSON body carries more than the default 1000 arguments, and the figures are the engine's own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WafBenchmark {

    /** The CRS directory (crs-setup.conf.example and rules/); relative to the working directory. */
    @Param({"../../../shared/crs"})
    public String crsDir;

    /** The CRS paranoia level (blocking and detection). */
    @Param({"1", "2"})
    public int paranoia;

    /** Size of the JSON body of {@link #jsonPost()}, in bytes. */
    @Param({"65536"})
    public int jsonBytes;

    static final String UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    static final String ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    /** "Nice product" would do at paranoia 1; paranoia 2 scores "nice" as a Unix command (rule 932236). */
    static final byte[] FORM_BODY = "name=John+Smith&email=john%40example.com&comment=Great+product".getBytes(StandardCharsets.US_ASCII);

    private TiyiWaf waf;
    private byte[] jsonBody;

    @Setup
    public void setup() {
        Path dir = Path.of(crsDir).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("rules"))) {
            throw new IllegalStateException("no CRS at " + dir + " (set -p crsDir=/path/to/crs)");
        }
        WafLimits unlimited = WafLimits.defaults().withMaxArguments(1_000_000).withMaxArgumentBytes(1L << 30)
                .withBudget(Duration.ofMinutes(10), Long.MAX_VALUE);
        waf = TiyiWaf.builder().seclang("SecRuleEngine On\nSecRequestBodyAccess On\n").crs(dir)
                .policy(WafPolicy.of(WafMode.BLOCK).withParanoia(paranoia).withLimits(unlimited)).build();
        jsonBody = json(jsonBytes);

        expectPass("benign GET", benignGet());
        expectPass("benign form POST", formPost());
        expectPass("64 KB JSON POST", jsonPost());
        Transaction sqli = request("GET", "/products?id=1'%20or%20'1'='1", null, (byte[]) null);
        if (sqli.interruption().map(Interruption::status).orElse(0) != 403) {
            throw new IllegalStateException("a SQL injection was not blocked with 403: " + sqli.interruption());
        }
        System.out.println("# WAF: CRS paranoia " + paranoia + ", " + waf.ruleCount() + " rules from " + dir + ", " + String.join(", ", waf.componentSignatures())
                + "; JSON body " + jsonBody.length + " bytes");
    }

    @Benchmark
    public Optional<Interruption> benignGet() {
        return request("GET", "/products?id=42&sort=price", null, null).interruption();
    }

    @Benchmark
    public Optional<Interruption> formPost() {
        return request("POST", "/comments", "application/x-www-form-urlencoded", FORM_BODY).interruption();
    }

    @Benchmark
    public Optional<Interruption> jsonPost() {
        return request("POST", "/api/orders", "application/json", jsonBody).interruption();
    }

    private Transaction request(String method, String uri, String contentType, byte[] body) {
        Transaction tx = waf.newTransaction();
        tx.processConnection("127.0.0.1", 1234, "127.0.0.1", 80);
        tx.processUri(uri, method, "HTTP/1.1");
        tx.addRequestHeader("Host", "bench.local");
        tx.addRequestHeader("User-Agent", UA);
        tx.addRequestHeader("Accept", ACCEPT);
        tx.addRequestHeader("Accept-Language", "en-US,en;q=0.5");
        tx.addRequestHeader("Accept-Encoding", "gzip, deflate");
        if (body != null) {
            tx.addRequestHeader("Content-Type", contentType);
            tx.addRequestHeader("Content-Length", Integer.toString(body.length));
        }
        tx.processRequestHeaders();
        if (body != null) {
            tx.appendRequestBody(body);
        }
        tx.processRequestBody();
        tx.addResponseHeader("Content-Type", "text/html");
        tx.processResponseHeaders(200, "HTTP/1.1");
        tx.processResponseBody();
        tx.processLogging();
        return tx;
    }

    private void expectPass(String name, Optional<Interruption> result) {
        if (result.isPresent()) {
            throw new IllegalStateException(name + " was interrupted: " + result.get());
        }
    }

    /** A JSON order list of exactly {@code size} bytes (at least 128): product lines, then one padding field. */
    static byte[] json(int size) {
        StringBuilder sb = new StringBuilder(size).append("{\"customer\":{\"name\":\"John Smith\",\"email\":\"john@example.com\"},\"items\":[");
        String tail = "],\"note\":\"\"}";
        for (int i = 1; ; i++) {
            String item = (i > 1 ? "," : "") + "{\"id\":" + i + ",\"sku\":\"SKU-" + (10000 + i) + "\",\"name\":\"Product " + i
                    + "\",\"quantity\":" + (1 + i % 5) + ",\"price\":" + (5 + i % 90) + ".99,\"gift\":" + (i % 7 == 0) + "}";
            if (sb.length() + item.length() + tail.length() > size) {
                break;
            }
            sb.append(item);
        }
        sb.append("],\"note\":\"");
        while (sb.length() + 2 < size) {
            sb.append(sb.length() % 6 == 0 ? ' ' : 'a');
        }
        sb.append("\"}");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Prints what the benchmark requests match, for a look without running JMH; with a fourth
     * argument {@code time}, then times them: CPU time and allocation per transaction of this
     * thread, median of 7 rounds of 2 s after 10 s of warm-up per request. A thread's CPU time does
     * not count time the machine gave to other processes, which wall-clock time on a shared
     * 2-core machine does.
     */
    public static void main(String[] args) {
        WafBenchmark b = new WafBenchmark();
        b.crsDir = args.length > 0 ? args[0] : "../../../shared/crs";
        b.jsonBytes = args.length > 1 ? Integer.parseInt(args[1]) : 65536;
        b.paranoia = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        b.setup();
        if (args.length > 3 && args[3].equals("time")) {
            for (String which : args.length > 4 ? args[4].split(",") : new String[] {"get", "post"}) {
                if (which.equals("get")) {
                    time("benign GET", b::benignGet);
                } else {
                    time("benign form POST", b::formPost);
                }
            }
            return;
        }
        for (String[] r : new String[][] {{"GET", "/products?id=42&sort=price"}, {"POST", "/comments"}, {"POST", "/api/orders"}}) {
            Transaction tx = r[1].equals("/comments") ? b.request("POST", r[1], "application/x-www-form-urlencoded", FORM_BODY)
                    : r[1].equals("/api/orders") ? b.request("POST", r[1], "application/json", b.jsonBody) : b.request(r[0], r[1], null, (byte[]) null);
            List<MatchedRule> m = tx.matchedRules();
            System.out.println(r[0] + " " + r[1] + ": interruption " + tx.interruption() + ", matched "
                    + m.stream().map(x -> Long.toString(x.id())).collect(Collectors.joining(",")) + ", errors " + tx.errors());
        }
    }

    private static void time(String name, java.util.function.Supplier<Optional<Interruption>> op) {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) cpu;
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < warmEnd) {
            op.get();
        }
        double[] us = new double[7];
        double[] bytes = new double[7];
        for (int r = 0; r < us.length; r++) {
            long c0 = cpu.getCurrentThreadCpuTime();
            long a0 = alloc.getCurrentThreadAllocatedBytes();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            int n = 0;
            while (System.nanoTime() < end) {
                op.get();
                n++;
            }
            us[r] = (cpu.getCurrentThreadCpuTime() - c0) / 1e3 / n;
            bytes[r] = (double) (alloc.getCurrentThreadAllocatedBytes() - a0) / n;
        }
        java.util.Arrays.sort(us);
        java.util.Arrays.sort(bytes);
        System.out.printf("%-18s CPU %7.1f us/tx (rounds %.1f-%.1f), %6.1f KB allocated/tx%n", name, us[3], us[0], us[6], bytes[3] / 1024);
    }
}
