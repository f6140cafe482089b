package io.tiyi.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.tiyi.NodeInternals;
import io.tiyi.TiyiNode;
import io.tiyi.auth.LocalAdminCredential;
import io.tiyi.auth.UserRole;
import io.tiyi.bundle.Enrollment;
import io.tiyi.client.TiyiClient;
import io.tiyi.crypto.Ed25519KeyPair;
import io.tiyi.crypto.SealedBox;
import io.tiyi.internal.Json;
import io.tiyi.testsupport.NodeExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every RPC method the node serves, called over HTTP by every kind of caller, answers what the
 * Methods table of docs/api.md promises: allowed, 401 or 403.
 *
 * <p>The table is the expectation, read from the file, and it must list exactly the methods the
 * node registers, so neither can change without the other. A caller is allowed when the node reads
 * its request body: a probe body with an unknown field must come back 400 naming that field, and a
 * well-formed body (one that fails validation where the call would change something) must not be
 * answered 401 or 403, since some refusals happen inside a method. A refused caller gets the same
 * status and message whether it sent {@code {}} or a body that is not JSON, since the node decides
 * before it reads the body (an agent that is not a secondary included). No allowed call
 * changes the fixture, so the cells run in any order on one node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RpcAccessMatrixTest {
    static final Path API_DOC = Path.of("../docs/api.md");
    static final String PROBE_FIELD = "matrix_probe";
    static final String PROBE = "{\"" + PROBE_FIELD + "\": true}";
    static final String NOT_JSON = "{\"" + PROBE_FIELD + "\": ";
    static final String PASSWORD = "matrix-password-0123";

    /**
     * Well-formed bodies for the methods where {@code {}} would change the fixture or wait: each
     * fails validation after the caller is let in, or reads only.
     */
    static final Map<String, String> SAFE_BODIES = Map.of(
            "AgentsService/IssueToken", "{\"ttl\": \"forever\"}",
            "TrustService/Set", "{\"trusted_proxies\": [\"not-an-address\"]}",
            "ReleasesService/Rollback", "{\"agent_ids\": [\"no-such-agent\"]}",
            "BundlesService/Watch", "{\"after_epoch\": 0, \"after_seq\": 0, \"timeout_ms\": 0}",
            "ReplicationService/Pull", "{\"after_seq\": 0, \"timeout_ms\": 0}");

    @RegisterExtension
    static final NodeExtension NODE = NodeExtension.primary();

    /** One kind of caller and the bearer token it sends (null: none). */
    record Caller(String label, UserRole role, boolean agent, boolean secondary, String token) {
        @Override
        public String toString() {
            return label;
        }
    }

    /** What a cell must answer: allowed, or refused with this status. */
    record Outcome(int status) {
        static final Outcome ALLOWED = new Outcome(0);

        boolean allowed() {
            return status == 0;
        }

        @Override
        public String toString() {
            return allowed() ? "allowed" : Integer.toString(status);
        }
    }

    record Reply(int status, JsonNode body) {
        String code() {
            return body.path("code").asText();
        }

        String message() {
            return body.path("message").asText();
        }
    }

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    TiyiNode node;
    List<DocumentedMethods.Entry> documented;
    List<Caller> callers;

    @BeforeAll
    void start() {
        node = NODE.node();
        documented = DocumentedMethods.read(API_DOC);
        String local = LocalAdminCredential.read(NODE.stateDir()).orElseThrow().token();
        TiyiClient admin = node.client();
        callers = List.of(
                new Caller("anonymous", null, false, false, null),
                new Caller("viewer", UserRole.VIEWER, false, false, user(admin, "matrix-viewer", UserRole.VIEWER)),
                new Caller("operator", UserRole.OPERATOR, false, false, user(admin, "matrix-operator", UserRole.OPERATOR)),
                new Caller("admin", UserRole.ADMIN, false, false, user(admin, "matrix-admin", UserRole.ADMIN)),
                new Caller("local admin", UserRole.ADMIN, false, false, local),
                new Caller("agent", null, true, false, enroll(admin, "matrix-agent")),
                new Caller("secondary", null, true, true, enroll(admin, "secondary")));
        for (Caller c : callers) {
            if (c.role() != null) {
                JsonNode me = call("AuthService/WhoAmI", c.token(), "{}").body();
                assertThat(me.path("role").asText()).as("%s's token", c).isEqualTo(c.role().wireName());
                assertThat(me.path("must_change_password").asBoolean()).as("%s must change its password", c).isFalse();
            }
        }
    }

    /** A user of {@code role} created the way an admin does, and its access token from a login. */
    private static String user(TiyiClient admin, String name, UserRole role) {
        admin.raw("UsersService", "Create", Map.of("name", name, "role", role.wireName(), "password", PASSWORD, "require_change", false));
        return TiyiClient.of(admin.baseUrl(), null).raw("AuthService", "Login", Map.of("user", name, "password", PASSWORD))
                .get("access_token").asText();
    }

    /** The credential of an agent enrolled with {@code tag}, as an agent (or a secondary, tag {@code secondary}) gets it. */
    private static String enroll(TiyiClient admin, String tag) {
        String token = admin.raw("AgentsService", "IssueToken", Map.of("tag", tag)).get("token").asText();
        byte[][] x = SealedBox.generateKeyPair();
        Ed25519KeyPair ed = Ed25519KeyPair.generate();
        JsonNode enrolled = TiyiClient.of(admin.baseUrl(), null).raw("AgentsService", "Enroll", Map.of("token", token, "x25519_public", x[1],
                "ed25519_public", ed.publicKey(), "proof", ed.sign(Enrollment.proofMessage(token, x[1]))));
        assertThat(enrolled.get("tag").asText()).isEqualTo(tag);
        return enrolled.get("credential").asText();
    }

    @Test
    void theMethodsTableListsExactlyTheMethodsTheNodeServes() {
        Set<String> served = NodeInternals.rpcRegistry(node).all().stream().map(m -> m.service() + "/" + m.method())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> inDoc = documented.stream().map(DocumentedMethods.Entry::name).collect(Collectors.toCollection(TreeSet::new));
        assertThat(inDoc).as("methods in docs/api.md's Methods table (missing ones are served but undocumented)")
                .containsExactlyInAnyOrderElementsOf(served);
        assertThat(SAFE_BODIES.keySet()).as("methods given a safe body").isSubsetOf(served);
    }

    @Test
    void theMethodsTableNamesEachMethodsAccessAndEffect() {
        RpcRegistry registry = NodeInternals.rpcRegistry(node);
        for (DocumentedMethods.Entry e : documented) {
            registry.find(RpcRegistry.PREFIX + e.name()).ifPresent(m -> {
                assertThat(access(e.least())).as("least role of %s (docs/api.md line %d)", e.name(), e.line()).isEqualTo(m.access());
                assertThat(e.changesState()).as("'changes state' of %s (docs/api.md line %d)", e.name(), e.line()).isEqualTo(m.mutating());
            });
        }
    }

    private static Access access(DocumentedMethods.Least least) {
        return switch (least) {
            case PUBLIC -> Access.PUBLIC;
            case VIEWER -> Access.VIEWER;
            case OPERATOR -> Access.OPERATOR;
            case ADMIN -> Access.ADMIN;
            case AGENT -> Access.AGENT;
            case SECONDARY -> Access.SECONDARY;
        };
    }

    @TestFactory
    Stream<DynamicTest> everyMethodAnswersEveryCallerAsDocumented() {
        return documented.stream().flatMap(e -> callers.stream().map(c -> {
            Outcome want = expected(e.least(), c);
            return DynamicTest.dynamicTest(e.name() + " × " + c + " → " + want, () -> check(e, c, want));
        }));
    }

    /** The documented answer of a method that admits {@code least} to {@code c}. */
    static Outcome expected(DocumentedMethods.Least least, Caller c) {
        return switch (least) {
            case PUBLIC -> Outcome.ALLOWED;
            case AGENT -> c.agent() ? Outcome.ALLOWED : new Outcome(401);
            case SECONDARY -> c.secondary() ? Outcome.ALLOWED : c.agent() ? new Outcome(403) : new Outcome(401);
            case VIEWER, OPERATOR, ADMIN -> c.role() == null ? new Outcome(401)
                    : c.role().atLeast(UserRole.valueOf(least.name())) ? Outcome.ALLOWED : new Outcome(403);
        };
    }

    private void check(DocumentedMethods.Entry e, Caller c, Outcome want) {
        if (want.allowed()) {
            Reply probe = call(e.name(), c.token(), PROBE);
            assertThat(probe.status()).as("%s × %s with an unknown field: the node must read the body and refuse the field (%s)", e.name(), c,
                    probe.body()).isEqualTo(400);
            assertThat(probe.message()).as("%s × %s", e.name(), c).contains("unknown field '" + PROBE_FIELD + "'");
            if (e.least() != DocumentedMethods.Least.PUBLIC) {
                // A public method answers bad credentials in the body with 401 itself; the probe showed it let the caller in.
                Reply real = call(e.name(), c.token(), SAFE_BODIES.getOrDefault(e.name(), "{}"));
                assertThat(real.status()).as("%s × %s with a well-formed body: %s", e.name(), c, real.body()).isNotIn(401, 403);
            }
            return;
        }
        Reply empty = call(e.name(), c.token(), "{}");
        assertThat(empty.status()).as("%s × %s: %s", e.name(), c, empty.body()).isEqualTo(want.status());
        assertThat(empty.code()).isEqualTo(want.status() == 401 ? "unauthenticated" : "permission_denied");
        Reply garbage = call(e.name(), c.token(), NOT_JSON);
        assertThat(garbage.status()).as("%s × %s with a body that is not JSON: refused before the body is read (%s)", e.name(), c,
                garbage.body()).isEqualTo(want.status());
        assertThat(garbage.message()).as("%s × %s: the refusal does not depend on the body", e.name(), c).isEqualTo(empty.message());
    }

    /** One call; a 429 of the per-address limit on unauthenticated calls is waited out, as a client would. */
    private Reply call(String method, String token, String body) {
        for (int attempt = 0; ; attempt++) {
            Reply r = send(method, token, body);
            if (r.status() != 429 || !r.message().startsWith("too many unauthenticated calls") || attempt == 50) {
                return r;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private Reply send(String method, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.adminUrl() + "/rpc/" + RpcRegistry.PREFIX + method))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            boolean json = r.headers().firstValue("content-type").orElse("").startsWith("application/json");
            // A download answers raw bytes; only its status matters here.
            return new Reply(r.statusCode(), json ? Json.MAPPER.readTree(r.body()) : MissingNode.getInstance());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(method + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
