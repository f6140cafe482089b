package io.tiyi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.TiyiApiException;
import io.tiyi.client.TiyiClient;
import io.tiyi.testsupport.NodeExtension;
import io.tiyi.testsupport.TestCerts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every name, path, address and header value the API stores refuses control and bidirectional
 * characters: each field gets each character through the real RPC, and must answer 400 naming the
 * field, the character and its position, with nothing stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoredTextTest {
    @RegisterExtension
    static final NodeExtension NODE = NodeExtension.primary();

    static final String UPSTREAM = "http://127.0.0.1:9";

    /** CR, LF, NUL, ESC, DEL, the C1 CSI, and RIGHT-TO-LEFT OVERRIDE. */
    static final char[] CHARACTERS = {'\r', '\n', '\0', 0x1b, 0x7f, 0x9b, 0x202e};

    /**
     * One field of one RPC: the value sent is {@code prefix + character + suffix}.
     *
     * @param field the name the message must use
     */
    record Field(String service, String method, String field, String prefix, String suffix, Function<String, Map<String, Object>> request) {
        @Override
        public String toString() {
            return service + "/" + method + " " + field;
        }
    }

    TiyiClient client;
    TestCerts.Pem pem;

    @BeforeAll
    void seed() {
        client = NODE.node().client();
        client.raw("SitesService", "Create", Map.of("name", "shop", "hosts", List.of("shop.example.com"), "upstreams", List.of(UPSTREAM)));
        pem = TestCerts.valid("new.example.com", "new.example.com");
    }

    static List<Field> fields() {
        List<Field> f = new ArrayList<>();
        f.add(new Field("SitesService", "Create", "name", "new", "site",
                v -> Map.of("name", v, "hosts", List.of("new.example.com"), "upstreams", List.of(UPSTREAM))));
        f.add(new Field("SitesService", "Create", "hosts[1]", "other", ".example.com",
                v -> Map.of("name", "new-site", "hosts", List.of("new.example.com", v), "upstreams", List.of(UPSTREAM))));
        f.add(new Field("SitesService", "Create", "upstreams[0]", "http://127.0.0.1", ":9",
                v -> Map.of("name", "new-site", "hosts", List.of("new.example.com"), "upstreams", List.of(v))));
        f.add(new Field("SitesService", "Create", "health_path", "/hea", "lth",
                v -> Map.of("name", "new-site", "hosts", List.of("new.example.com"), "upstreams", List.of(UPSTREAM), "health_path", v)));
        f.add(new Field("SitesService", "Create", "certificate", "new", "-cert",
                v -> Map.of("name", "new-site", "hosts", List.of("new.example.com"), "upstreams", List.of(UPSTREAM), "certificate", v)));
        f.add(new Field("SitesService", "Update", "hosts[0]", "shop.example.com", "",
                v -> Map.of("name", "shop", "hosts", List.of(v))));
        f.add(new Field("SitesService", "Update", "health_path", "/", "healthz", v -> Map.of("name", "shop", "health_path", v)));
        f.add(new Field("SitesService", "AddRoute", "path_prefix", "/a", "pi",
                v -> Map.of("site", "shop", "path_prefix", v, "upstreams", List.of(UPSTREAM))));
        f.add(new Field("SitesService", "AddRoute", "upstreams[0]", "", "http://127.0.0.1:9",
                v -> Map.of("site", "shop", "path_prefix", "/api", "upstreams", List.of(v))));
        f.add(new Field("CertificatesService", "Import", "name", "new", "-cert", null));
        f.add(new Field("AlertsService", "UpdateRule", "name", "origin-bypass", "-attempt", v -> Map.of("name", v, "threshold", 5)));
        f.add(new Field("TrustService", "Set", "trusted_proxies[0]", "10.0.0.0", "/8", v -> Map.of("trusted_proxies", List.of(v))));
        f.add(new Field("TrustService", "Set", "client_ip_headers[0]", "X-Forwarded-For", "", v -> Map.of("client_ip_headers", List.of(v))));
        f.add(new Field("TrustService", "Set", "cdn_providers[0]", "cloud", "flare", v -> Map.of("cdn_providers", List.of(v))));
        f.add(new Field("WafService", "AddExclusion", "path_prefix", "/lo", "gin",
                v -> Map.of("site", "shop", "rule_id", 942100, "path_prefix", v)));
        f.add(new Field("WafService", "AddExclusion", "target", "ARGS:", "q", v -> Map.of("site", "shop", "rule_id", 942100, "target", v)));
        f.add(new Field("WafService", "AddExclusion", "tag", "attack", "-sqli", v -> Map.of("site", "shop", "tag", v)));
        f.add(new Field("WafService", "AddExclusion", "method", "PO", "ST", v -> Map.of("site", "shop", "rule_id", 942100, "method", v)));
        f.add(new Field("WafService", "SetPolicy", "mode", "", "block", v -> Map.of("site", "shop", "mode", v)));
        f.add(new Field("AgentsService", "IssueToken", "tag", "edge", "-1", v -> Map.of("tag", v)));
        f.add(new Field("SystemService", "UpdateSetting", "value of setting trust.cdn.cloudflare.url", "https://example.com/ip", "s",
                v -> Map.of("key", "trust.cdn.cloudflare.url", "value", v)));
        f.add(new Field("SystemService", "UpdateSetting", "value of setting backup.stream.dir", "/var/lib/tiyi/", "stream",
                v -> Map.of("key", "backup.stream.dir", "value", v)));
        f.add(new Field("SystemService", "UpdateSetting", "key", "logs.retention", "_days", v -> Map.of("key", v, "value", "7")));
        return f;
    }

    Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Field f : fields()) {
            for (char c : CHARACTERS) {
                out.add(Arguments.of(f, String.format("U+%04X", (int) c)));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("cases")
    void isRefusedNamingTheFieldAndNothingIsStored(Field f, String codePoint) {
        char c = (char) Integer.parseInt(codePoint.substring(2), 16);
        String value = f.prefix() + c + f.suffix();
        Map<String, Object> request = f.request() != null ? f.request().apply(value)
                : Map.of("name", value, "cert_pem", pem.certPem(), "key_pem", pem.keyPem());
        Map<String, JsonNode> before = state();

        assertThatThrownBy(() -> client.raw(f.service(), f.method(), request)).isInstanceOfSatisfying(TiyiApiException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.wireCode()).isEqualTo("invalid_argument");
            assertThat(e.getMessage()).contains(f.field() + " contains ").contains("(" + codePoint + ") at position " + (f.prefix().length() + 1));
        });
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void aLookedUpNameIsQuotedEscapedInTheAnswer() {
        assertThatThrownBy(() -> client.raw("SitesService", "Get", Map.of("name", "shop\u001b[2J\r\n"))).isInstanceOfSatisfying(
                TiyiApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.getMessage()).isEqualTo("no site named 'shop\\e[2J\\r\\n'");
                });
    }

    /** Everything the refused calls could have changed, as the API reads it back. */
    private Map<String, JsonNode> state() {
        Map<String, JsonNode> s = new LinkedHashMap<>();
        s.put("sites", client.raw("SitesService", "List", Map.of()));
        s.put("certificates", client.raw("CertificatesService", "List", Map.of()));
        s.put("alert rules", client.raw("AlertsService", "ListRules", Map.of()));
        s.put("trust", client.raw("TrustService", "Get", Map.of()));
        s.put("waf", client.raw("WafService", "GetPolicy", Map.of("site", "shop")));
        s.put("tokens", client.raw("AgentsService", "ListTokens", Map.of()));
        s.put("settings", client.raw("SystemService", "ListSettings", Map.of()));
        return s;
    }
}
