package io.tiyi.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tiyi.ProgressListener;
import io.tiyi.TiyiException;
import io.tiyi.TiyiNode;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.SitesService;
import io.tiyi.client.rpc.SystemService;
import io.tiyi.client.rpc.WafService;
import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import io.tiyi.internal.Json;
import io.undertow.Undertow;
import io.undertow.util.HttpString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Runs the CRS project's go-ftw regression tests against a real Tiyi node over HTTP, as
 * {@code tiyi waf conformance} does: a node with CRS from the given directory at paranoia level 4
 * in detection mode (the CRS project's test configuration), a site for every host in front of a
 * backend that implements the {@code /reflect} contract, and each test request sent over a
 * socket as written. A stage passes when the node's security event for the request names every
 * expected rule and none of the unexpected ones (or, for tests that only check the status, when
 * the status matches). Overridden tests are reported apart and count as not passed.
 */
public final class ConformanceRunner {
    /**
     * The CRS project's regression-test settings (tests/regression/README.md, rule 900005) other
     * than paranoia level and engine mode, which the caller sets its own way.
     */
    public static final String TEST_CONFIG = """
            SecResponseBodyAccess On
            SecResponseBodyMimeType text/plain text/html text/xml application/json
            SecAction "id:1990005,phase:1,nolog,pass,t:none,setvar:tx.crs_validate_utf8_encoding=1,setvar:tx.arg_name_length=100,\\
              setvar:tx.arg_length=400,setvar:tx.total_arg_length=64000,setvar:tx.max_num_args=255,setvar:tx.max_file_size=64100,\\
              setvar:tx.combined_file_sizes=65535"
            """;

    /**
     * The outcome.
     *
     * @param passed stages that passed
     * @param failed tests that failed
     * @param overridden tests listed in the override file
     */
    public record Result(int passed, int failed, int overridden) {
        public double passRate() {
            int total = passed + failed + overridden;
            return total == 0 ? 0 : (double) passed / total;
        }
    }

    private ConformanceRunner() {}

    /** Test ids listed in an override file, with their reasons. */
    static Map<String, String> overrides(Path file) throws IOException {
        Map<String, String> out = new HashMap<>();
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        for (JsonNode o : root.path("test_overrides")) {
            for (JsonNode id : o.path("test_ids")) {
                out.put(o.path("rule_id").asLong() + "-" + id.asInt(), o.path("reason").asText(""));
            }
        }
        return out;
    }

    /**
     * Runs the suite and prints per-file results, the failures, and a last line
     * {@code N passed, N failed}.
     */
    public static Result run(Path crs, Path tests, Optional<Path> overrideFile, PrintStream out) throws IOException {
        return run(crs, tests, overrideFile, out, ProgressListener.NONE);
    }

    /** {@link #run(Path, Path, Optional, PrintStream)}, telling {@code progress} each step and the requests sent. */
    public static Result run(Path crs, Path tests, Optional<Path> overrideFile, PrintStream out, ProgressListener progress) throws IOException {
        if (!Files.isDirectory(crs.resolve("rules"))) {
            throw TiyiException.invalid("--crs " + crs + " has no rules/ directory");
        }
        if (!Files.isDirectory(tests)) {
            throw TiyiException.invalid("--tests " + tests + " is not a directory");
        }
        progress.step("reading the tests");
        Map<String, String> overridden = overrideFile.isPresent() ? overrides(overrideFile.get()) : Map.of();
        List<FtwSuite.Test> suite = FtwSuite.load(tests);
        progress.step("starting a temporary node");
        Path state = Files.createTempDirectory("tiyi-conformance");
        Undertow backend = backend();
        HostPort any = new HostPort("127.0.0.1", 0);
        TiyiConfig cfg = TiyiConfig.defaults().withStateDir(state).withServerAddr(any).withHttpAddr(any).withHttpsAddr(any);
        try (TiyiNode node = TiyiNode.builder().config(cfg).build().start()) {
            progress.step("loading the CRS into it");
            TiyiClient api = TiyiClient.of(node.adminUrl(), LocalAdminCredential.read(state).orElseThrow().token());
            int port = ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
            api.call(SystemService.UPDATE_SETTING, new SystemService.UpdateRequest("waf.crs_dir", crs.toAbsolutePath().normalize().toString()));
            api.call(SitesService.CREATE, new SitesService.PutRequest("ftw", List.of("*"), List.of("http://127.0.0.1:" + port), null, null, null));
            long before = node.status().lastSeq();
            api.call(WafService.SET_POLICY, new WafService.SetRequest("ftw", "detect", 4, null, null, TEST_CONFIG, null, "crs"));
            awaitRuntime(node, before + 1);
            InetSocketAddress target = node.httpAddress();

            Map<String, Integer> statusById = new HashMap<>();
            int n = 0;
            int stages = suite.stream().mapToInt(t -> t.stages().size()).sum();
            progress.step("sending the test requests");
            Map<FtwSuite.Test, List<String>> ids = new LinkedHashMap<>();
            for (FtwSuite.Test t : suite) {
                List<String> stageIds = new ArrayList<>();
                for (FtwSuite.Stage s : t.stages()) {
                    String id = "ftw" + (n++);
                    stageIds.add(id);
                    statusById.put(id, send(target, s.input(), id));
                    progress.advance(n, stages);
                }
                ids.put(t, stageIds);
            }
            progress.step("reading the security events");
            node.events().flush();
            Map<String, Set<Long>> matched = new HashMap<>();
            for (JsonNode e : node.events().query("security", 0, x -> true, Integer.MAX_VALUE)) {
                Set<Long> set = matched.computeIfAbsent(e.path("request_id").asText(), k -> new HashSet<>());
                e.path("rule_ids").forEach(r -> set.add(r.asLong()));
            }
            Result r = report(ids, matched, statusById, overridden, out);
            progress.step("stopping the temporary node");
            return r;
        } finally {
            backend.stop();
            deleteTree(state);
        }
    }

    private static Result report(Map<FtwSuite.Test, List<String>> ids, Map<String, Set<Long>> matched, Map<String, Integer> status,
            Map<String, String> overridden, PrintStream out) {
        Map<String, int[]> perFile = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int passed = 0;
        int failed = 0;
        int over = 0;
        for (Map.Entry<FtwSuite.Test, List<String>> e : ids.entrySet()) {
            FtwSuite.Test t = e.getKey();
            int[] c = perFile.computeIfAbsent(t.file(), k -> new int[3]);
            if (overridden.containsKey(t.name())) {
                over++;
                c[2]++;
                skipped.add(t.name() + ": " + overridden.get(t.name()));
                continue;
            }
            String why = null;
            for (int i = 0; i < t.stages().size() && why == null; i++) {
                FtwSuite.Output o = t.stages().get(i).output();
                String id = e.getValue().get(i);
                Set<Long> got = matched.getOrDefault(id, Set.of());
                for (long x : o.expectIds()) {
                    if (!got.contains(x)) {
                        why = "expected rule " + x + ", matched " + new java.util.TreeSet<>(got) + " (HTTP " + status.get(id) + ")";
                    }
                }
                for (long x : o.noExpectIds()) {
                    if (got.contains(x)) {
                        why = "did not expect rule " + x;
                    }
                }
                if (o.expectIds().isEmpty() && o.noExpectIds().isEmpty() && o.status() != null && !o.status().equals(status.get(id))) {
                    why = "expected status " + o.status() + ", got " + status.get(id);
                }
            }
            if (why == null) {
                passed++;
                c[0]++;
            } else {
                failed++;
                c[1]++;
                failures.add(t.name() + " (" + t.file() + "): " + why);
            }
        }
        perFile.forEach((f, c) -> out.printf("%-64s %4d passed, %3d failed%s%n", f, c[0], c[1], c[2] > 0 ? ", " + c[2] + " overridden" : ""));
        if (!failures.isEmpty()) {
            out.println();
            out.println("Failed:");
            failures.forEach(f -> out.println("  " + f));
        }
        if (!skipped.isEmpty()) {
            out.println();
            out.println("Overridden (not passed):");
            skipped.forEach(s -> out.println("  " + s));
        }
        Result r = new Result(passed, failed, over);
        out.println();
        out.printf("pass rate %.2f%% (%d of %d tests; overrides count as not passed)%n", 100 * r.passRate(), passed, passed + failed + over);
        out.println(passed + " passed, " + (failed + over) + " failed");
        return r;
    }

    private static void awaitRuntime(TiyiNode node, long seq) {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (node.runtimeVersion() >= seq) {
                    return;
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new TiyiException("the node did not load the CRS within 120 s");
    }

    /** Sends one test request as written; returns the HTTP status, or 0 when the connection failed. */
    static int send(InetSocketAddress target, FtwSuite.Input in, String requestId) {
        byte[] req;
        if (in.encodedRequest() != null) {
            String raw = FtwSuite.latin1(in.encodedRequest());
            int eol = raw.indexOf('\n');
            req = (eol < 0 ? raw : raw.substring(0, eol + 1) + "X-Request-Id: " + requestId + "\r\n" + raw.substring(eol + 1))
                    .getBytes(StandardCharsets.ISO_8859_1);
        } else {
            StringBuilder sb = new StringBuilder();
            sb.append(in.method()).append(' ').append(in.uri()).append(' ').append(in.version()).append("\r\n");
            for (String[] h : in.headersAsSent()) {
                sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
            if (in.autocompleteHeaders() && in.headers().keySet().stream().noneMatch(k -> k.equalsIgnoreCase("connection"))) {
                sb.append("Connection: close\r\n");
            }
            String data = in.data();
            sb.append("X-Request-Id: ").append(requestId).append("\r\n\r\n");
            if (data != null) {
                sb.append(data);
            }
            req = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        }
        try (Socket s = new Socket()) {
            s.connect(target, 2000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(req);
            s.getOutputStream().flush();
            return status(s.getInputStream());
        } catch (IOException e) {
            return 0;
        }
    }

    /** Reads a whole response (so the node finishes the exchange, response phases included) and returns its status. */
    private static int status(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ");
        int code = parts.length > 1 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : 0;
        long length = -1;
        boolean chunked = false;
        String h;
        while (!(h = line(in)).isEmpty()) {
            int c = h.indexOf(':');
            if (c > 0) {
                String name = h.substring(0, c).trim();
                String value = h.substring(c + 1).trim();
                if (name.equalsIgnoreCase("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
                    chunked = true;
                }
            }
        }
        if (chunked) {
            long size;
            while ((size = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0) {
                in.skipNBytes(size);
                line(in);
            }
            line(in);
        } else if (length >= 0) {
            in.skipNBytes(length);
        } else {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return code;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.write(c);
        }
        if (c < 0 && b.size() == 0) {
            throw new java.io.EOFException();
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** The go-ftw backend: {@code /reflect} answers the status, headers and body of its JSON request body; anything else 200. */
    static Undertow backend() {
        Undertow u = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1).setWorkerThreads(4).setHandler(ex -> {
            ex.getRequestReceiver().receiveFullBytes((e, body) -> {
                int status = 200;
                String out = "";
                Map<String, String> headers = new LinkedHashMap<>();
                if (e.getRequestPath().startsWith("/reflect")) {
                    try {
                        JsonNode r = Json.MAPPER.readTree(body);
                        status = r.path("status").asInt(200);
                        out = r.path("body").asText("");
                        r.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
                    } catch (IOException ex3) {
                        status = 400;
                    }
                }
                headers.putIfAbsent("Content-Type", "text/plain; charset=utf-8");
                e.setStatusCode(status);
                headers.forEach((k, v) -> e.getResponseHeaders().put(new HttpString(k), v));
                e.getResponseSender().send(out, StandardCharsets.ISO_8859_1);
            });
        }).build();
        u.start();
        return u;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory is harmless.
        }
    }
}
