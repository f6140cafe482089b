package io.tiyi.waf.body;

import io.tiyi.waf.variables.KeyValues;
import java.io.ByteArrayInputStream;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * {@code text/xml} / {@code application/xml}: the text of every element goes to {@code XML:/*}
 * and attribute values to {@code XML://@*}. DTDs and external entities are refused: a request body never makes
 * the parser fetch or expand anything.
 */
public final class XmlBody {
    private static final XMLInputFactory FACTORY = XMLInputFactory.newFactory();

    static {
        FACTORY.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        FACTORY.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        FACTORY.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    }

    private XmlBody() {}

    private static String latin1(String s) {
        return new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Adds the text and attribute values of {@code body} to {@code into}; returns an error message or null. */
    public static String parse(String body, KeyValues into) {
        try {
            XMLStreamReader r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
            StringBuilder text = new StringBuilder();
            while (r.hasNext()) {
                int ev = r.next();
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    for (int i = 0; i < r.getAttributeCount(); i++) {
                        into.add("//@*", latin1(r.getAttributeValue(i)));
                    }
                } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
                    text.append(r.getText());
                } else if (ev == XMLStreamConstants.END_ELEMENT) {
                    String t = text.toString().strip();
                    if (!t.isEmpty()) {
                        into.add("/*", latin1(t));
                    }
                    text.setLength(0);
                }
            }
            return null;
        } catch (XMLStreamException e) {
            return "XML parsing error: " + e.getMessage().replace('\n', ' ');
        } catch (RuntimeException e) {
            // The JDK's parser fails on some malformed input with a runtime exception of its own (skipping a DTD
            // with an invalid character throws MissingResourceException): still a body that does not parse.
            return "XML parsing error: " + e;
        }
    }
}
