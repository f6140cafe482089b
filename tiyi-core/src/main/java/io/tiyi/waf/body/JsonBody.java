package io.tiyi.waf.body;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.tiyi.waf.variables.KeyValues;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * {@code application/json}: every scalar becomes an argument named by its path, as ModSecurity
 * names them: {@code json.user.name}, array items by index ({@code json.items.0}).
 *
 * <p>Exactly RFC 8259 is accepted, and anything else is a body error: a WAF that reads a lenient
 * form its own way (or not at all) while the backend reads it another way is an evasion. So no
 * comments, {@code NaN}/{@code Infinity}, single quotes, unquoted names, leading zeros or
 * {@code +}, trailing commas, control characters in strings, unknown escapes, a second top-level
 * value or trailing bytes, and the text must be well-formed UTF-8 (section 8.1; a leading BOM
 * may be ignored, as the RFC allows). Duplicate names are valid JSON and are all kept, so every
 * value a backend might pick is inspected.
 *
 * <p>Streaming parse: nesting past the depth limit and arguments past the argument limit stop it.
 */
public final class JsonBody {
    /*
     * Every JsonReadFeature is a leniency beyond RFC 8259; they are off by default, and named here
     * so the strictness does not hang on a library default. Jackson's own nesting limit is lifted
     * because the configured limit (SecRequestBodyJsonDepthLimit) is checked below, with its name
     * in the message. Sources stay out of error locations: they would copy the payload into logs.
     */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .disable(JsonReadFeature.ALLOW_YAML_COMMENTS)
            .disable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
            .disable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
            .disable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .disable(JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
            .disable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS)
            .disable(JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS)
            .disable(JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS)
            .disable(JsonReadFeature.ALLOW_TRAILING_DECIMAL_POINT_FOR_NUMBERS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonReadFeature.ALLOW_MISSING_VALUES)
            .disable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .disable(JsonReadFeature.ALLOW_RS_CONTROL_CHAR)
            .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
            .build();
    private static final char BOM = '\uFEFF';

    private JsonBody() {}

    /**
     * Adds the scalars of {@code body} (a byte string) to {@code into}, nested at most
     * {@code maxDepth} deep, through {@code limit}; returns an error message or null.
     */
    public static String parse(String body, KeyValues into, int maxDepth, ArgumentLimit limit) {
        return parse(body, into, maxDepth, limit, false);
    }

    /**
     * {@link #parse}, or with {@code sequence} a body of JSON values one after another (JSON
     * Lines, NDJSON), read as the elements of one array: {@code json.0.field},
     * {@code json.1.field}...
     */
    public static String parse(String body, KeyValues into, int maxDepth, ArgumentLimit limit, boolean sequence) {
        CharBuffer text;
        // ASCII without escapes yields only ASCII names and values, which need no re-encoding.
        boolean plain = false;
        if (ascii(body)) {
            plain = body.indexOf('\\') < 0;
            // ASCII is its own UTF-8: the byte string is already the text, and has no BOM.
            text = CharBuffer.wrap(body.toCharArray());
        } else {
            ByteBuffer in = ByteBuffer.wrap(body.getBytes(StandardCharsets.ISO_8859_1));
            text = utf8(in);
            if (text == null) {
                return "JSON parsing error: invalid UTF-8 at byte " + in.position() + " (RFC 8259 section 8.1: JSON is UTF-8)";
            }
        }
        int start = text.length() > 0 && text.charAt(0) == BOM ? 1 : 0;
        Deque<String> path = new ArrayDeque<>();
        Deque<int[]> index = new ArrayDeque<>();
        try (JsonParser p = FACTORY.createParser(text.array(), text.arrayOffset() + start, text.length() - start)) {
            path.push("json");
            index.push(new int[] {sequence ? 0 : -1});
            String field = null;
            boolean rootDone = false;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (rootDone && !sequence) {
                    return "JSON parsing error at " + where(p.currentTokenLocation()) + ": a second top-level value after the first";
                }
                switch (t) {
                    case FIELD_NAME -> field = plain ? p.currentName() : latin1(p.currentName());
                    case START_OBJECT, START_ARRAY -> {
                        if (path.size() > maxDepth) {
                            return "JSON nested deeper than " + maxDepth + " levels (SecRequestBodyJsonDepthLimit " + maxDepth + ") at "
                                    + where(p.currentTokenLocation());
                        }
                        String name = childName(path, index, field);
                        field = null;
                        path.push(name);
                        index.push(new int[] {t == JsonToken.START_ARRAY ? 0 : -1});
                    }
                    case END_OBJECT, END_ARRAY -> {
                        path.pop();
                        index.pop();
                    }
                    default -> {
                        String name = childName(path, index, field);
                        field = null;
                        String v = t == JsonToken.VALUE_NULL ? "" : plain ? p.getText() : latin1(p.getText());
                        if (!limit.add(into, name, v)) {
                            return limit.message();
                        }
                    }
                }
                rootDone = path.size() == 1;
            }
            return rootDone ? null : "JSON parsing error: no JSON value";
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            return "JSON parsing error at " + where(e.getLocation()) + ": " + (m == null ? e.toString() : m.split("\n")[0]);
        } catch (IOException e) {
            return "JSON parsing error: " + e;
        }
    }

    /**
     * {@code in} decoded as strict UTF-8 (no overlong forms, surrogates or code points past
     * U+10FFFF), or null with {@code in} positioned at the first bad byte.
     */
    private static CharBuffer utf8(ByteBuffer in) {
        // UTF-8 never yields more chars than bytes.
        CharBuffer out = CharBuffer.allocate(in.remaining());
        CharsetDecoder d = decoder();
        CoderResult r = d.decode(in, out, true);
        if (!r.isError()) {
            r = d.flush(out);
        }
        return r.isError() ? null : out.flip();
    }

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static String where(JsonLocation l) {
        return l == null ? "?" : "line " + l.getLineNr() + ", column " + l.getColumnNr();
    }

    /** Text as the byte string of its UTF-8 encoding, the form every other variable has. */
    private static String latin1(String s) {
        return ascii(s) ? s : new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** Whether every char is below 0x80, where text, its UTF-8 bytes and their byte string coincide. */
    private static boolean ascii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static String childName(Deque<String> path, Deque<int[]> index, String field) {
        String parent = path.peek();
        if (field != null) {
            return parent + "." + field;
        }
        int[] i = index.peek();
        if (i[0] >= 0) {
            return parent + "." + (i[0]++);
        }
        return parent;
    }
}
