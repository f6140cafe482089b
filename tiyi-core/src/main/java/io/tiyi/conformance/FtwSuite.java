package io.tiyi.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads the CRS project's go-ftw regression tests (YAML) into plain records. */
public final class FtwSuite {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One request of a test. */
    public record Input(String method, String uri, String version, Map<String, String> headers, String data, byte[] encodedRequest,
            boolean autocompleteHeaders) {
        /**
         * The headers as go-ftw sends them: the test's own, then, for a request with a body and
         * unless the test turns completion off, a form Content-Type and a Content-Length when the
         * test gives none.
         */
        public List<String[]> headersAsSent() {
            List<String[]> out = new ArrayList<>();
            headers.forEach((k, v) -> out.add(new String[] {k, v}));
            if (data != null && autocompleteHeaders) {
                if (headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("content-type"))) {
                    out.add(new String[] {"Content-Type", "application/x-www-form-urlencoded"});
                }
                if (headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("content-length"))) {
                    out.add(new String[] {"Content-Length", Integer.toString(data.getBytes(StandardCharsets.ISO_8859_1).length)});
                }
            }
            return out;
        }
    }

    /** What a stage expects. */
    public record Output(List<Long> expectIds, List<Long> noExpectIds, Integer status) {}

    /** A test stage. */
    public record Stage(Input input, Output output) {}

    /** A test of a rule file. */
    public record Test(String file, long ruleId, int testId, String desc, List<Stage> stages) {
        public String name() {
            return ruleId + "-" + testId;
        }
    }

    private FtwSuite() {}

    /** Every test of every {@code *.yaml} file under {@code dir}, in file order. */
    public static List<Test> load(Path dir) throws IOException {
        List<Test> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                JsonNode root = YAML.readTree(f.toFile());
                if (root == null || !root.has("tests")) {
                    continue;
                }
                long ruleId = root.path("rule_id").asLong();
                for (JsonNode t : root.get("tests")) {
                    List<Stage> stages = new ArrayList<>();
                    for (JsonNode s : t.path("stages")) {
                        JsonNode st = s.has("stage") ? s.get("stage") : s;
                        stages.add(new Stage(input(st.path("input")), output(st.path("output"))));
                    }
                    out.add(new Test(dir.relativize(f).toString(), ruleId, t.path("test_id").asInt(), t.path("desc").asText(""), stages));
                }
            }
        }
        return out;
    }

    private static Input input(JsonNode in) {
        Map<String, String> headers = new LinkedHashMap<>();
        in.path("headers").fields().forEachRemaining(e -> headers.put(bytes(e.getKey()), bytes(e.getValue().asText())));
        String data = null;
        JsonNode d = in.get("data");
        if (d != null && !d.isNull()) {
            if (d.isArray()) {
                List<String> lines = new ArrayList<>();
                d.forEach(x -> lines.add(x.asText()));
                data = bytes(String.join("\r\n", lines));
            } else {
                data = bytes(d.asText());
            }
        }
        byte[] encoded = null;
        if (in.hasNonNull("encoded_request")) {
            encoded = Base64.getDecoder().decode(in.get("encoded_request").asText().replaceAll("\\s", ""));
        }
        return new Input(bytes(in.path("method").asText("GET")), bytes(in.path("uri").asText("/")), in.path("version").asText("HTTP/1.1"), headers, data,
                encoded, in.path("autocomplete_headers").asBoolean(true));
    }

    private static Output output(JsonNode out) {
        List<Long> expect = new ArrayList<>();
        List<Long> noExpect = new ArrayList<>();
        out.path("log").path("expect_ids").forEach(x -> expect.add(x.asLong()));
        out.path("log").path("no_expect_ids").forEach(x -> noExpect.add(x.asLong()));
        out.path("expect_ids").forEach(x -> expect.add(x.asLong()));
        out.path("no_expect_ids").forEach(x -> noExpect.add(x.asLong()));
        Integer status = null;
        JsonNode s = out.get("status");
        if (s != null && !s.isNull()) {
            status = s.isArray() ? s.get(0).asInt() : s.asInt();
        }
        return new Output(expect, noExpect, status);
    }

    /** Test files are UTF-8 text; requests carry its bytes, one char per byte. */
    static String bytes(String s) {
        return latin1(s.getBytes(StandardCharsets.UTF_8));
    }

    public static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
