package io.tiyi.waf.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.waf.variables.KeyValues;
import org.junit.jupiter.api.Test;

class XmlBodyTest {
    @Test
    void aDtdWithAnInvalidCharacterIsAParsingError() {
        // Was a MissingResourceException out of the JDK's parser, and so out of Transaction.processRequestBody.
        assertThat(XmlBody.parse("<!DOCTYPE r [<!E\u0000\u0000NTITY x \"y\">]><r/>", new KeyValues())).startsWith("XML parsing error");
    }

    @Test
    void undecodableBytesAreAParsingErrorThatPrintsNothing() {
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(printed, true));
        try {
            // The JDK's parser prints "[Fatal Error] ..." to standard error for each of these: one line per hostile request.
            assertThat(XmlBody.parse("<a>\u00ff</a>", new KeyValues())).startsWith("XML parsing error: invalid UTF-8");
            assertThat(XmlBody.parse("<a>\u00c3</a>", new KeyValues())).startsWith("XML parsing error: invalid UTF-8");
            assertThat(XmlBody.parse("<?xml version='1.0' encoding='utf-16'?><a/>", new KeyValues())).contains("unsupported encoding");
            assertThat(XmlBody.parse("<?xml version='1.0' encoding='no-such-thing'?><a/>", new KeyValues())).contains("unsupported encoding");
        } finally {
            System.setErr(err);
        }
        assertThat(printed.toString()).isEmpty();
        KeyValues latin = new KeyValues();
        assertThat(XmlBody.parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\u00e9</a>", latin)).isNull();
        assertThat(latin.first("/*")).isEqualTo("caf\u00c3\u00a9");
        KeyValues bom = new KeyValues();
        assertThat(XmlBody.parse("\u00ef\u00bb\u00bf<a>x</a>", bom)).isNull();
        assertThat(bom.first("/*")).isEqualTo("x");
    }
}
