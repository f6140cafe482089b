package io.tiyi.waf.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.testsupport.WafRequests;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

/** Request bodies inspected after their Content-Encoding is undone, within the body limit. */
class ContentCodingTest {
    private static final String FORM = "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&name=brotli";
    /** {@link #FORM} compressed by Debian's {@code brotli} 1.1 command ({@code brotli -c}). */
    private static final String FORM_BR = "IcAABHE9JTNDc2NyaXB0JTNFYWxlcnQoMSklM0MlMkZzY3JpcHQlM0UmbmFtZT1icm90bGkD";
    /** {@link #FORM} gzipped, then compressed with {@code brotli -c}: {@code Content-Encoding: gzip, br}. */
    private static final String FORM_GZIP_BR = "jx2AH4sIAAAAAAAAAyu0VTV2Lk4uyiwoUTV2TcxJLSrRMNQEiqkaucGF1fISc1Ntk4ryS3IyAcxsn00xAAAAAw==";

    @Test
    void undoesEachCodingAndTheirCombinations() throws IOException {
        byte[] form = FORM.getBytes(StandardCharsets.US_ASCII);
        assertDecodes("gzip", gzip(form), form);
        assertDecodes("x-gzip", gzip(form), form);
        assertDecodes("GZip", gzip(form), form);
        assertDecodes("deflate", deflate(form, false), form);
        assertDecodes("deflate", deflate(form, true), form);
        assertDecodes("br", Base64.getDecoder().decode(FORM_BR), form);
        assertDecodes("gzip, br", Base64.getDecoder().decode(FORM_GZIP_BR), form);
        assertDecodes("deflate, identity, gzip", gzip(deflate(form, false)), form);
        assertDecodes("identity", form, form);
        // Concatenated gzip members are one body, as gunzip reads them.
        byte[] twice = concat(gzip("a=1&".getBytes(StandardCharsets.US_ASCII)), gzip("b=2".getBytes(StandardCharsets.US_ASCII)));
        assertDecodes("gzip", twice, "a=1&b=2".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void namesWhatItCannotDecode() throws IOException {
        byte[] form = FORM.getBytes(StandardCharsets.US_ASCII);
        assertThat(ContentCoding.decode("zstd", form, form.length, 1000, false).error())
                .isEqualTo("Content-Encoding 'zstd' cannot be decoded for inspection (gzip, deflate and br can)");
        assertThat(ContentCoding.decode("gzip", form, form.length, 1000, false).error())
                .startsWith("Content-Encoding gzip: the body is not valid gzip (");
        assertThat(ContentCoding.decode("br", form, form.length, 1000, false).error())
                .startsWith("Content-Encoding br: the body is not valid br (");
        assertThat(ContentCoding.decode("gzip, gzip, gzip, gzip", form, form.length, 1000, false).error())
                .isEqualTo("Content-Encoding lists 4 codings; at most 3 are decoded for inspection");
        byte[] gz = gzip(form);
        byte[] half = Arrays.copyOf(gz, gz.length / 2);
        assertThat(ContentCoding.decode("gzip", half, half.length, 1000, false).error())
                .isEqualTo("Content-Encoding gzip: the body ends before its compressed stream does");
        // A body already cut at the limit on arrival ends early by design: what was decoded is kept.
        ContentCoding.Decoded partial = ContentCoding.decode("gzip", half, half.length, 1000, true);
        assertThat(partial.error()).isNull();
        assertThat(partial.truncated()).isTrue();
    }

    @Test
    void aBombIsCutAtTheLimit() throws IOException {
        byte[] zeros = new byte[8 << 20];
        byte[] bomb = gzip(gzip(zeros));
        assertThat(bomb.length).isLessThan(1024);
        ContentCoding.Decoded d = ContentCoding.decode("gzip, gzip", bomb, bomb.length, 65_536, false);
        assertThat(d.error()).isNull();
        assertThat(d.truncated()).isTrue();
        assertThat(d.length()).isEqualTo(65_536);
    }

    @Test
    void theRulesReadTheDecodedBody() throws IOException {
        TiyiWaf waf = waf("SecRequestBodyLimitAction Reject");
        byte[] form = FORM.getBytes(StandardCharsets.US_ASCII);
        for (String[] c : new String[][] {{"gzip", null}, {"br", FORM_BR}, {"gzip, br", FORM_GZIP_BR}}) {
            byte[] body = c[1] == null ? gzip(form) : Base64.getDecoder().decode(c[1]);
            Transaction tx = post(waf, c[0], body);
            assertThat(tx.interruption()).as(c[0]).isPresent();
            assertThat(tx.matchedRules()).as(c[0]).extracting(m -> m.id()).contains(10L);
            assertThat(tx.variable("ARGS_POST", "name")).as(c[0]).isEqualTo("brotli");
            assertThat(tx.variable("REQBODY_ERROR", null)).as(c[0]).isEqualTo("0");
        }
        // Benign and compressed: parsed, not refused.
        Transaction ok = post(waf, "deflate", deflate("a=1&b=hello".getBytes(StandardCharsets.US_ASCII), false));
        assertThat(ok.interruption()).isEmpty();
        assertThat(ok.variable("ARGS_POST", "b")).isEqualTo("hello");
        assertThat(ok.variable("REQUEST_BODY_LENGTH", null)).isEqualTo("11");
    }

    @Test
    void aBodyThatCannotBeDecodedIsABodyError() throws IOException {
        TiyiWaf waf = waf("SecRequestBodyLimitAction Reject");
        byte[] form = FORM.getBytes(StandardCharsets.US_ASCII);
        Transaction tx = post(waf, "zstd", form);
        assertThat(tx.variable("REQBODY_ERROR", null)).isEqualTo("1");
        assertThat(tx.variable("REQBODY_ERROR_MSG", null)).contains("'zstd' cannot be decoded");
        assertThat(tx.matchedRules()).extracting(m -> m.id()).contains(20L);
        assertThat(tx.variable("ARGS_POST", "q")).isNull();
    }

    @Test
    void aDecodedBodyPastTheLimitIsRefusedOrInspectedInPartAsTheLimitActionSays() throws IOException {
        byte[] big = ("a=" + "x".repeat(20_000) + "&q=%3Cscript%3E").getBytes(StandardCharsets.US_ASCII);
        Transaction refused = post(waf("SecRequestBodyLimitAction Reject"), "gzip", gzip(big));
        assertThat(refused.interruption()).hasValueSatisfying(i -> assertThat(i.status()).isEqualTo(413));
        Transaction partial = post(waf("SecRequestBodyLimitAction ProcessPartial"), "gzip", gzip(big));
        assertThat(partial.variable("INBOUND_DATA_ERROR", null)).isEqualTo("1");
        assertThat(partial.variable("REQUEST_BODY_LENGTH", null)).isEqualTo("10000");
        assertThat(partial.matchedRules()).extracting(m -> m.id()).doesNotContain(10L);
    }

    private static TiyiWaf waf(String limitAction) {
        return TiyiWaf.builder().seclang("""
                SecRuleEngine On
                SecRequestBodyAccess On
                SecRequestBodyLimit 10000
                %s
                SecRule ARGS "@contains <script>" "id:10,phase:2,deny,status:403,t:none,t:urlDecodeUni"
                SecRule REQBODY_ERROR "!@eq 0" "id:20,phase:2,pass,log,t:none"
                """.formatted(limitAction)).build();
    }

    private static Transaction post(TiyiWaf waf, String encoding, byte[] body) {
        return WafRequests.post(waf, "/form", "application/x-www-form-urlencoded", encoding, body);
    }

    private static void assertDecodes(String encoding, byte[] body, byte[] expected) {
        ContentCoding.Decoded d = ContentCoding.decode(encoding, body, body.length, 1 << 20, false);
        assertThat(d.error()).as(encoding).isNull();
        assertThat(d.truncated()).as(encoding).isFalse();
        assertThat(Arrays.copyOf(d.body(), d.length())).as(encoding).isEqualTo(expected);
    }

    private static byte[] gzip(byte[] b) {
        return io.tiyi.testsupport.Gzip.gzip(b);
    }

    static byte[] deflate(byte[] b, boolean raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, raw))) {
            z.write(b);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
