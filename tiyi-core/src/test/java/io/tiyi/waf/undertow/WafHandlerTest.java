package io.tiyi.waf.undertow;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.testsupport.Await;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import io.tiyi.waf.WafEvent;
import io.tiyi.waf.WafMode;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.BlockingHandler;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WafHandlerTest {
    private static final String RULES = """
            SecRuleEngine On
            SecRequestBodyAccess On
            SecResponseBodyAccess On
            SecResponseBodyMimeType text/plain
            SecRequestBodyLimit 1000
            SecRequestBodyLimitAction %s
            SecRule ARGS|REQUEST_BODY "@contains attack" "id:100,phase:2,deny,status:403,log,msg:'attack in the request'"
            SecRule RESPONSE_BODY "@contains secret" "id:200,phase:4,pass,log,msg:'secret in the response'"
            """;

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger hostCalls = new AtomicInteger();
    private final List<WafEvent> events = new CopyOnWriteArrayList<>();
    private Undertow server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    /** The ways a host reads a request body, each of which must see the whole body after the WAF read it. */
    enum Host {
        /** A non-blocking handler that uses the exchange's receiver. */
        RECEIVER,
        /** A blocking handler behind the WAF. */
        BLOCKING_BEHIND,
        /** The WAF itself behind a BlockingHandler, the host reading its input stream. */
        BLOCKING_AROUND
    }

    private TiyiWaf waf(String limitAction, WafMode mode) {
        return TiyiWaf.builder().seclang(RULES.formatted(limitAction)).mode(mode).listener(events::add).build();
    }

    private String start(TiyiWaf waf, Host host, boolean inspectResponses) {
        HttpHandler echoAsync = ex -> {
            hostCalls.incrementAndGet();
            ex.getRequestReceiver().receiveFullString((e, body) -> e.getResponseSender().send("got " + body.length() + ": " + tail(body)),
                    StandardCharsets.ISO_8859_1);
        };
        HttpHandler echoBlocking = ex -> {
            hostCalls.incrementAndGet();
            String body = new String(ex.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            ex.getResponseSender().send("got " + body.length() + ": " + tail(body));
        };
        HttpHandler root = switch (host) {
            case RECEIVER -> WafHandler.builder(waf, echoAsync).inspectResponses(inspectResponses).build();
            case BLOCKING_BEHIND -> WafHandler.builder(waf, new BlockingHandler(echoBlocking)).inspectResponses(inspectResponses).build();
            case BLOCKING_AROUND -> new BlockingHandler(WafHandler.builder(waf, echoBlocking).inspectResponses(inspectResponses).build());
        };
        server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(root).build();
        server.start();
        InetSocketAddress a = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        return "http://127.0.0.1:" + a.getPort();
    }

    private static String tail(String body) {
        return body.length() <= 12 ? body : body.substring(body.length() - 12);
    }

    private HttpResponse<String> post(String url, String body, boolean chunked) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
        HttpRequest.BodyPublisher p = chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))
                : HttpRequest.BodyPublishers.ofByteArray(bytes);
        return http.send(HttpRequest.newBuilder(URI.create(url + "/submit")).header("content-type", "text/plain").POST(p).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void theHostReadsTheWholeBodyTheWafInspected(Host host) throws Exception {
        String url = start(waf("Reject", WafMode.BLOCK), host, true);
        for (boolean chunked : new boolean[] {false, true}) {
            HttpResponse<String> ok = post(url, "x".repeat(900) + "benign-tail", chunked);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("got 911: xbenign-tail");
        }
        assertThat(hostCalls).hasValue(2);
        assertThat(post(url, "x".repeat(500) + " attack ", false).statusCode()).isEqualTo(403);
        assertThat(post(url, "attack", true).statusCode()).isEqualTo(403);
        assertThat(hostCalls).as("a refused request never reaches the host").hasValue(2);
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aBodyOverTheLimitIsRefusedWhenTheRulesSayReject(Host host) throws Exception {
        String url = start(waf("Reject", WafMode.BLOCK), host, true);
        assertThat(post(url, "x".repeat(1001), false).statusCode()).isEqualTo(413);
        assertThat(post(url, "x".repeat(50_000), true).statusCode()).isEqualTo(413);
        assertThat(hostCalls).hasValue(0);
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void processPartialInspectsTheFirstPartAndStreamsTheRest(Host host) throws Exception {
        String url = start(waf("ProcessPartial", WafMode.BLOCK), host, true);
        HttpResponse<String> big = post(url, "x".repeat(200_000) + "attack-later", true);
        assertThat(big.statusCode()).as("past the limit nothing is inspected").isEqualTo(200);
        assertThat(big.body()).isEqualTo("got 200012: attack-later");
        assertThat(post(url, "attack " + "x".repeat(200_000), false).statusCode()).isEqualTo(403);
    }

    @Test
    void detectModeNeverRefusesAnOversizedBody() throws Exception {
        String url = start(waf("Reject", WafMode.DETECT), Host.RECEIVER, true);
        HttpResponse<String> r = post(url, "attack" + "x".repeat(5000), false);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("got 5006");
        awaitEvents(1);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.blocked()).isFalse();
            assertThat(e.mode()).isEqualTo(WafMode.DETECT);
            assertThat(e.matchedRules()).extracting(m -> m.id()).containsExactly(100L);
        });
    }

    @Test
    void theListenerHearsOfABlockWithTheRuleAndTheClient() throws Exception {
        String url = start(waf("Reject", WafMode.BLOCK), Host.RECEIVER, true);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(url + "/search?q=attack")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(403);
        awaitEvents(1);
        WafEvent e = events.get(0);
        assertThat(e.blocked()).isTrue();
        assertThat(e.interruption().orElseThrow().ruleId()).isEqualTo(100);
        assertThat(e.clientIp()).isEqualTo("127.0.0.1");
        assertThat(e.method()).isEqualTo("GET");
        assertThat(e.uri()).isEqualTo("/search?q=attack");
    }

    @Test
    void responsesAreInspectedUnlessTurnedOff() throws Exception {
        TiyiWaf waf = waf("Reject", WafMode.BLOCK);
        HttpHandler secret = ex -> {
            ex.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "text/plain");
            ex.getResponseSender().send("the secret");
        };
        for (boolean on : new boolean[] {true, false}) {
            events.clear();
            server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(WafHandler.builder(waf, secret).inspectResponses(on).build())
                    .build();
            server.start();
            int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("the secret");
            if (on) {
                awaitEvents(1);
                assertThat(events.get(0).matchedRules()).extracting(m -> m.id()).containsExactly(200L);
            } else {
                Thread.sleep(200);
                assertThat(events).isEmpty();
            }
            server.stop();
            server = null;
        }
    }

    @Test
    void responsesAreNotWatchedWhenNoRuleRunsAfterTheRequestPhases() throws Exception {
        // Rule 300 names every response variable but runs in phase 2, before any of them is set.
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecRuleEngine On
                SecResponseBodyAccess On
                SecResponseBodyMimeType text/plain
                SecRule RESPONSE_BODY|RESPONSE_STATUS|RESPONSE_HEADERS|RESPONSE_CONTENT_TYPE "@rx ." "id:300,phase:2,pass,log"
                SecRule ARGS "@contains attack" "id:100,phase:1,deny,status:403,log"
                """).listener(events::add).build();
        assertThat(waf.inspectsResponses()).isFalse();

        // Fed a whole response by hand, a transaction of these rules matches nothing after phase 2.
        Transaction tx = waf.newTransaction();
        tx.processUri("/", "GET", "HTTP/1.1");
        tx.addRequestHeader("Host", "example.test");
        tx.processRequestHeaders();
        tx.processRequestBody();
        tx.addResponseHeader("Content-Type", "text/plain");
        tx.processResponseHeaders(500, "HTTP/1.1");
        tx.appendResponseBody("the secret".getBytes(StandardCharsets.ISO_8859_1), 0, 10);
        tx.processResponseBody();
        tx.processLogging();
        assertThat(tx.matchedRules()).isEmpty();

        List<String> statuses = new CopyOnWriteArrayList<>();
        HttpHandler secret = ex -> {
            ex.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "text/plain");
            ex.getResponseSender().send("the secret");
        };
        server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(WafHandler.builder(waf, secret)
                .onComplete((ex, t) -> statuses.add(String.valueOf(t.variable("RESPONSE_STATUS", null)))).build()).build();
        server.start();
        String url = "http://127.0.0.1:" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(url + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.body()).isEqualTo("the secret");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(url + "/?q=attack")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(403);
        awaitEvents(1);
        Await.until(java.time.Duration.ofSeconds(2), "two completed exchanges", () -> statuses.size() >= 2);
        // The response phases never ran: the transaction never heard the status.
        assertThat(statuses).containsOnly("null");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).interruption().orElseThrow().ruleId()).isEqualTo(100);
    }

    @Test
    void aLoggingPhaseRuleKeepsResponsesWatched() throws Exception {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecRuleEngine On
                SecRule RESPONSE_STATUS "@streq 404" "id:500,phase:5,pass,log,msg:'not found'"
                """).listener(events::add).build();
        assertThat(waf.inspectsResponses()).isTrue();
        HttpHandler missing = ex -> {
            ex.setStatusCode(404);
            ex.getResponseSender().send("no such page");
        };
        server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(new WafHandler(waf, missing)).build();
        server.start();
        String url = "http://127.0.0.1:" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(url + "/gone")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(404);
        awaitEvents(1);
        assertThat(events.get(0).matchedRules()).extracting(m -> m.id()).containsExactly(500L);
    }

    private static final String RESPONSE_RULES = """
            SecRuleEngine On
            SecResponseBodyAccess Off
            SecResponseBodyMimeType text/plain
            %s
            SecRule RESPONSE_STATUS "@streq 404" "id:301,phase:3,pass,log"
            SecRule RESPONSE_HEADERS:X-Leak "@streq yes" "id:302,phase:3,pass,log"
            SecRule RESPONSE_BODY "@contains secret" "id:303,phase:4,pass,log"
            SecRule RESPONSE_STATUS "@streq 404" "id:304,phase:5,pass,log"
            """;

    /** Serves a 404 with a header and a body that response rules look for. */
    private String startLeaky(TiyiWaf waf) {
        HttpHandler leaky = ex -> {
            ex.setStatusCode(404);
            ex.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "text/plain");
            ex.getResponseHeaders().put(new io.undertow.util.HttpString("X-Leak"), "yes");
            ex.getResponseSender().send("the secret");
        };
        server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(new WafHandler(waf, leaky)).build();
        server.start();
        return "http://127.0.0.1:" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    @Test
    void withoutResponseBodyAccessTheResponsePhasesRunFromTheFinalStatusAndHeaders() throws Exception {
        TiyiWaf waf = TiyiWaf.builder().seclang(RESPONSE_RULES.formatted("")).listener(events::add).build();
        assertThat(waf.inspectsResponseBodies()).isFalse();

        // A transaction fed everything, body included, matches the same rules: the body is not read.
        Transaction tx = waf.newTransaction();
        tx.processUri("/", "GET", "HTTP/1.1");
        tx.processRequestHeaders();
        tx.processRequestBody();
        tx.addResponseHeader("Content-Type", "text/plain");
        tx.addResponseHeader("X-Leak", "yes");
        tx.processResponseHeaders(404, "HTTP/1.1");
        tx.appendResponseBody("the secret".getBytes(StandardCharsets.ISO_8859_1), 0, 10);
        tx.processResponseBody();
        tx.processLogging();
        assertThat(tx.matchedRules()).extracting(m -> m.id()).containsExactly(301L, 302L, 304L);

        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(startLeaky(waf) + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("the secret");
        awaitEvents(1);
        assertThat(events.get(0).matchedRules()).extracting(m -> m.id()).containsExactly(301L, 302L, 304L);
    }

    @Test
    void aRuleThatTurnsResponseBodyAccessOnGetsTheBody() throws Exception {
        TiyiWaf waf = TiyiWaf.builder()
                .seclang(RESPONSE_RULES.formatted("SecAction \"id:10,phase:1,pass,nolog,ctl:responseBodyAccess=On\""))
                .listener(events::add).build();
        assertThat(waf.inspectsResponseBodies()).isTrue();
        http.send(HttpRequest.newBuilder(URI.create(startLeaky(waf) + "/")).build(), HttpResponse.BodyHandlers.ofString());
        awaitEvents(1);
        assertThat(events.get(0).matchedRules()).extracting(m -> m.id()).containsExactly(301L, 302L, 303L, 304L);
    }

    private void awaitEvents(int n) {
        // The logging phase runs when the exchange completes, which may be just after the client has the response.
        Await.until(java.time.Duration.ofSeconds(2), n + " WAF events", () -> events.size() >= n);
        assertThat(events).hasSizeGreaterThanOrEqualTo(n);
    }
}
