package io.tiyi.bench;

import io.tiyi.waf.Interruption;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import io.tiyi.waf.WafLimits;
import io.tiyi.waf.WafMode;
import io.tiyi.waf.WafPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Phases 1 and 2 of one large POST with the OWASP CRS at paranoia level 1, blocking: how the cost of
 * inspection grows with the argument count and the body size. It should grow linearly: the time
 * divided by {@code args / 10,000} or by {@code bytes / 100 KB} should stay about the same from
 * the smallest to the largest request.
 *
 * <p>The argument caps and the per-transaction budget of {@link WafLimits} are lifted, so the
 * figures are the engine's own; with the defaults such requests are refused long before.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class InspectionScalingBenchmark {

    /** The WAF, with the limits out of the way. */
    @State(Scope.Benchmark)
    public static class Waf {
        /** The CRS directory (crs-setup.conf.example and rules/); relative to the working directory. */
        @Param({"../../../shared/crs"})
        public String crsDir;

        TiyiWaf waf;

        @Setup
        public void setup() {
            Path dir = Path.of(crsDir).toAbsolutePath().normalize();
            if (!Files.isDirectory(dir.resolve("rules"))) {
                throw new IllegalStateException("no CRS at " + dir + " (set -p crsDir=/path/to/crs)");
            }
            WafLimits unlimited = WafLimits.defaults().withMaxArguments(1_000_000).withMaxArgumentBytes(1L << 30)
                    .withBudget(Duration.ofMinutes(10), Long.MAX_VALUE);
            waf = TiyiWaf.builder().seclang("SecRequestBodyAccess On\n").crs(dir)
                    .policy(WafPolicy.of(WafMode.BLOCK).withRequestBodyLimit(1L << 30).withLimits(unlimited)).build();
        }
    }

    /** A url-encoded body of {@code args} arguments {@code f<i>=value+<i>}. */
    @State(Scope.Benchmark)
    public static class Arguments {
        @Param({"10000", "50000", "100000"})
        public int args;

        byte[] body;

        @Setup
        public void setup() {
            body = form(args, Integer.MAX_VALUE);
        }
    }

    /** Bodies of about {@code bytes} bytes, url-encoded and JSON. */
    @State(Scope.Benchmark)
    public static class Bodies {
        @Param({"102400", "512000", "1048576", "2097152"})
        public int bytes;

        byte[] form;
        byte[] json;

        @Setup
        public void setup() {
            form = form(Integer.MAX_VALUE, bytes);
            json = WafBenchmark.json(bytes);
        }
    }

    @Benchmark
    public Optional<Interruption> formArguments(Waf w, Arguments a) {
        return post(w.waf, "application/x-www-form-urlencoded", a.body);
    }

    @Benchmark
    public Optional<Interruption> formBody(Waf w, Bodies b) {
        return post(w.waf, "application/x-www-form-urlencoded", b.form);
    }

    @Benchmark
    public Optional<Interruption> jsonBody(Waf w, Bodies b) {
        return post(w.waf, "application/json", b.json);
    }

    static Optional<Interruption> post(TiyiWaf waf, String contentType, byte[] body) {
        Transaction tx = waf.newTransaction();
        tx.processConnection("127.0.0.1", 1234, "127.0.0.1", 80);
        tx.processUri("/submit", "POST", "HTTP/1.1");
        tx.addRequestHeader("Host", "bench.local");
        tx.addRequestHeader("User-Agent", WafBenchmark.UA);
        tx.addRequestHeader("Accept", WafBenchmark.ACCEPT);
        tx.addRequestHeader("Content-Type", contentType);
        tx.addRequestHeader("Content-Length", Integer.toString(body.length));
        tx.processRequestHeaders();
        tx.appendRequestBody(body);
        Optional<Interruption> i = tx.processRequestBody();
        if (i.isPresent() || tx.overBudget()) {
            throw new IllegalStateException("a benign " + body.length + "-byte body was interrupted: " + i + " " + tx.errors());
        }
        return i;
    }

    /** {@code f0=value+0&f1=value+1...}: {@code args} arguments or about {@code bytes} bytes, whichever comes first. */
    static byte[] form(int args, int bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args && sb.length() < bytes; i++) {
            sb.append(i == 0 ? "" : "&").append('f').append(i).append("=value+").append(i);
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Times each request once per size after a warm-up, without JMH, and prints ms per 10,000
     * arguments and per 100 KB: {@code java -cp target/benchmarks.jar io.tiyi.bench.InspectionScalingBenchmark [crsDir]}.
     */
    public static void main(String[] argv) {
        Waf w = new Waf();
        w.crsDir = argv.length > 0 ? argv[0] : "../../../shared/crs";
        w.setup();
        for (int round = 0; round < 2; round++) {
            boolean print = round == 1;
            for (int n : new int[] {10_000, 50_000, 100_000}) {
                byte[] body = form(n, Integer.MAX_VALUE);
                double ms = time(w.waf, "application/x-www-form-urlencoded", body);
                if (print) {
                    System.out.printf("form %7d args %8d bytes %8.0f ms %6.0f ms/10k args%n", n, body.length, ms, ms * 10_000 / n);
                }
            }
            for (int size : new int[] {102_400, 512_000, 1_048_576, 2_097_152}) {
                for (String ct : new String[] {"application/x-www-form-urlencoded", "application/json"}) {
                    byte[] body = ct.endsWith("json") ? WafBenchmark.json(size) : form(Integer.MAX_VALUE, size);
                    double ms = time(w.waf, ct, body);
                    if (print) {
                        System.out.printf("%-4s %8d bytes %8.0f ms %6.0f ms/100KB%n", ct.endsWith("json") ? "json" : "form", body.length, ms,
                                ms * 102_400 / body.length);
                    }
                }
            }
        }
    }

    private static double time(TiyiWaf waf, String contentType, byte[] body) {
        long t0 = System.nanoTime();
        post(waf, contentType, body);
        return (System.nanoTime() - t0) / 1e6;
    }
}
