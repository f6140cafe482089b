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
}
