package io.tiyi.waf.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import io.tiyi.waf.WafMode;
import io.tiyi.waf.WafPolicy;
import io.tiyi.testsupport.WafRequests;
import io.tiyi.waf.crs.CrsFixtures;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code %{COLLECTION.key}} in every form a rule can write it. The derived collections (ARGS and
 * the *_NAMES ones) are read from their sources, as a rule's targets read them; CRS rules 922100
 * and 920650 depend on {@code %{ARGS.name}}.
 */
class MacroTest {
    private static final String FORM = "application/x-www-form-urlencoded";

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "ARGS.q|from-get",
        "args.Q|from-get",
        "ARGS.p|from-post",
        "ARGS.both|get-first",
        "ARGS.absent|''",
        "ARGS_GET.q|from-get",
        "ARGS_GET.p|''",
        "ARGS_POST.p|from-post",
        "ARGS_POST.q|''",
        "ARGS_NAMES.Q|q",
        "ARGS_NAMES.P|p",
        "ARGS_NAMES.absent|''",
        "ARGS_GET_NAMES.q|q",
        "ARGS_GET_NAMES.p|''",
        "ARGS_POST_NAMES.p|p",
        "REQUEST_HEADERS.host|bench.local",
        "REQUEST_HEADERS.HOST|bench.local",
        "REQUEST_HEADERS_NAMES.accept-language|Accept-Language",
        "REQUEST_COOKIES.sid|abc",
        "REQUEST_COOKIES_NAMES.SID|sid",
        "TX.seen|yes",
        "REQUEST_METHOD|POST",
        "REQUEST_FILENAME|/submit",
        "RULE.id|2",
    })
    void expandsEachFormOfReference(String reference, String expected) {
        TiyiWaf waf = TiyiWaf.builder().seclang("""
                SecRuleEngine DetectionOnly
                SecRequestBodyAccess On
                SecAction "id:1,phase:2,pass,nolog,setvar:tx.seen=yes"
                SecAction "id:2,phase:2,pass,nolog,setvar:'tx.out=<%{REF}>'"
                """.replace("REF", reference)).build();
        Transaction tx = waf.newTransaction();
        tx.processConnection("127.0.0.1", 1234, "127.0.0.1", 80);
        tx.processUri("/submit?q=from-get&both=get-first", "POST", "HTTP/1.1");
        tx.addRequestHeader("Host", "bench.local");
        tx.addRequestHeader("Accept-Language", "en");
        tx.addRequestHeader("Cookie", "sid=abc");
        byte[] body = "p=from-post&both=post-second".getBytes(StandardCharsets.US_ASCII);
        tx.addRequestHeader("Content-Type", FORM);
        tx.addRequestHeader("Content-Length", Integer.toString(body.length));
        tx.processRequestHeaders();
        tx.appendRequestBody(body);
        tx.processRequestBody();
        assertThat(tx.variable("TX", "out")).as(reference).isEqualTo("<" + expected + ">");
    }

    @Test
    void crsAllowsADeclaredCharsetOfTheAllowedListInAMultipartForm() {
        TiyiWaf waf = crs(1);
        assertThat(multipart(waf, "utf-8").matchedRules()).extracting(m -> m.id()).doesNotContain(922100L);
        assertThat(multipart(waf, "UTF-8").matchedRules()).extracting(m -> m.id()).doesNotContain(922100L);
        Transaction utf7 = multipart(waf, "utf-7");
        assertThat(utf7.matchedRules()).extracting(m -> m.id()).contains(922100L);
        assertThat(utf7.interruption()).isPresent();
    }

    /**
     * 920650 compares the lower-cased method with {@code %{ARGS._method}} as sent, as ModSecurity
     * does: {@code _method=post} on a POST is no override, {@code _method=delete} is.
     */
    @Test
    void crsFlagsAMethodOverrideOnlyWhenItNamesAnotherMethod() {
        TiyiWaf waf = crs(2);
        assertThat(form(waf, "_method=post&a=1").matchedRules()).extracting(m -> m.id()).doesNotContain(920650L);
        assertThat(form(waf, "_method=delete&a=1").matchedRules()).extracting(m -> m.id()).contains(920650L);
    }

    private static TiyiWaf crs(int paranoia) {
        return TiyiWaf.builder().seclang("SecRequestBodyAccess On\n").crs(CrsFixtures.shared())
                .policy(WafPolicy.of(WafMode.BLOCK).withParanoia(paranoia)).build();
    }

    private static Transaction multipart(TiyiWaf waf, String charset) {
        String boundary = "----tiyiboundary";
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"_charset_\"\r\n\r\n" + charset + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"comment\"\r\n\r\nhello there\r\n"
                + "--" + boundary + "--\r\n";
        return post(waf, "multipart/form-data; boundary=" + boundary, body);
    }

    private static Transaction form(TiyiWaf waf, String body) {
        return post(waf, FORM, body);
    }

    private static Transaction post(TiyiWaf waf, String contentType, String text) {
        return WafRequests.post(waf, "/comment", contentType, null, text.getBytes(StandardCharsets.US_ASCII));
    }
}
