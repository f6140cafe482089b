package io.tiyi.waf.body;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.tiyi.waf.variables.KeyValues;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * {@code application/json}: every scalar becomes an argument named by its path, as ModSecurity
 * names them: {@code json.user.name}, array items by index ({@code json.items.0}). Streaming
 * parse, depth-limited.
 */
public final class JsonBody {
    static final int MAX_DEPTH = 512;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();

    private JsonBody() {}

    /** Adds the scalars of {@code body} (a byte string) to {@code into}; returns an error message or null. */
    public static String parse(String body, KeyValues into) {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Deque<String> path = new ArrayDeque<>();
        Deque<int[]> index = new ArrayDeque<>();
        try (JsonParser p = FACTORY.createParser(bytes)) {
            JsonToken t;
            String field = null;
            path.push("json");
            index.push(new int[] {-1});
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case FIELD_NAME -> field = p.getCurrentName();
                    case START_OBJECT, START_ARRAY -> {
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
                        String v = t == JsonToken.VALUE_NULL ? "" : new String(p.getText().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                java.nio.charset.StandardCharsets.ISO_8859_1);
                        into.add(name, v);
                    }
                }
            }
            return null;
        } catch (IOException e) {
            String m = e.getMessage();
            return "JSON parsing error: " + (m == null ? e.toString() : m.split("\n")[0]);
        }
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
