package io.tiyi.waf.body;

import io.tiyi.waf.variables.KeyValues;
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

    private static final java.util.regex.Pattern DECLARED = java.util.regex.Pattern.compile(
            "^<\\?xml[^>]*?\\sencoding\\s*=\\s*[\"']([A-Za-z][A-Za-z0-9._-]*)[\"']");

    /**
     * The document as text, decoded here rather than by the JDK's parser, which prints a line to
     * standard error for every undecodable byte (one per hostile request); or null, with the reason
     * in {@code error[0]}, when it does not decode. The encoding is the one the XML declaration
     * names, else UTF-8 (a UTF-8 byte order mark is skipped); encodings that do not write ASCII as
     * ASCII (UTF-16, EBCDIC) are refused, as the rules would not read them.
     */
    private static String decode(byte[] bytes, String[] error) {
        int off = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
        String head = new String(bytes, off, Math.min(bytes.length - off, 256), java.nio.charset.StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = DECLARED.matcher(head);
        java.nio.charset.Charset cs;
        try {
            cs = m.find() ? java.nio.charset.Charset.forName(m.group(1)) : java.nio.charset.StandardCharsets.UTF_8;
        } catch (IllegalArgumentException e) {
            error[0] = "XML parsing error: unsupported encoding '" + m.group(1) + "'";
            return null;
        }
        if (!new String("<?xml =\"'>".getBytes(cs), cs).equals("<?xml =\"'>")
                || !java.util.Arrays.equals("<?xml".getBytes(cs), "<?xml".getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            error[0] = "XML parsing error: unsupported encoding '" + cs.name() + "'";
            return null;
        }
        try {
            return cs.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, off, bytes.length - off)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            error[0] = "XML parsing error: invalid " + cs.name() + " (" + e.getMessage() + ")";
            return null;
        }
    }

    /** Adds the text and attribute values of {@code body} to {@code into}; returns an error message or null. */
    public static String parse(String body, KeyValues into) {
        String[] error = new String[1];
        String text0 = decode(body.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), error);
        if (text0 == null) {
            return error[0];
        }
        try {
            XMLStreamReader r = FACTORY.createXMLStreamReader(new java.io.StringReader(text0));
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
