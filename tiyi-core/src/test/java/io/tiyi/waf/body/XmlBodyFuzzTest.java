package io.tiyi.waf.body;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tiyi.testsupport.Fuzzing;
import io.tiyi.waf.variables.KeyValues;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link XmlBody}, the {@code text/xml} / {@code application/xml} processor.
 *
 * <p>Contract: {@link XmlBody#parse} accepts any byte string and never throws: a body that is not
 * well-formed XML, or that declares a DTD or an entity, yields an error message starting with
 * {@code XML parsing error}, which becomes REQBODY_ERROR. Only {@code /*} (element text) and
 * {@code //@*} (attribute values) are added. Any other exception, or an input taking longer than
 * the timeout (entity expansion), is a bug.
 *
 * <p>Input: the raw body.
 */
class XmlBodyFuzzTest {
    @FuzzTest(maxDuration = "30s")
    @Timeout(value = Fuzzing.TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
    @DictionaryEntries({"<?xml version=\"1.0\"", " encoding=\"", "UTF-16", "?>", "<!DOCTYPE", "<!ENTITY", "SYSTEM", "<![CDATA[", "]]>",
            "&amp;", "&#x", "&e;", "xmlns:", "<a ", "</a>", "/>", "=\"", "<!--", "-->", "<?"})
    void parse(byte[] input) {
        KeyValues into = new KeyValues();
        String error = XmlBody.parse(new String(input, StandardCharsets.ISO_8859_1), into);
        if (error != null) {
            assertThat(error).startsWith("XML parsing error");
        }
        for (KeyValues.Entry e : into.all()) {
            assertThat(e.key()).isIn("/*", "//@*");
        }
    }
}
