package io.tiyi.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.tiyi.TiyiException;
import io.tiyi.internal.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a request body into its request record, or into an {@code INVALID_ARGUMENT} error that
 * names the field at fault. The body must be one JSON object (an empty body counts as {@code {}});
 * {@code null}, arrays, numbers and strings at the top are refused, as are unknown fields, values
 * of the wrong type and numbers too large for their field. Messages never carry Java class names
 * or stack traces: they reach unauthenticated clients.
 */
final class JsonRequest {
    private JsonRequest() {}

    /**
     * @param what the request's name in messages, for example {@code tiyi.v1.UsersService/Create}
     */
    static <Q> Q read(byte[] body, Class<Q> type, String what) {
        if (blank(body)) {
            body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        JsonParser p;
        try {
            p = Json.MAPPER.createParser(body);
        } catch (IOException e) {
            throw TiyiException.invalid("cannot read the " + what + " request: " + e.getMessage());
        }
        try (p) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw TiyiException.invalid(what + " request must be a JSON object, got " + describe(first));
            }
            Q q = Json.MAPPER.readValue(p, type);
            if (p.nextToken() != null) {
                throw TiyiException.invalid(what + " request must be one JSON object, got more after it at line "
                        + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr());
            }
            return q;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "));
            throw TiyiException.invalid("unknown field '" + path(e) + "' in " + what + " request"
                    + (known.isEmpty() ? " (it takes no fields)" : " (fields: " + known + ")"));
        } catch (InvalidFormatException e) {
            throw TiyiException.invalid("field '" + path(e) + "' of " + what + " has the wrong type or value: expected "
                    + expected(e.getTargetType()));
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw TiyiException.invalid(field.isEmpty() ? what + " request must be a JSON object"
                    : "field '" + field + "' of " + what + " has the wrong type: expected " + expected(e.getTargetType()));
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof TiyiException t) {
                throw t;
            }
            String field = path(e);
            String why = e.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null ? ": " + iae.getMessage() : "";
            throw TiyiException.invalid((field.isEmpty() ? what + " request" : "field '" + field + "' of " + what) + " is not valid" + why);
        } catch (JsonMappingException e) {
            String field = path(e);
            if (e.getCause() instanceof InputCoercionException tooLarge) {
                throw TiyiException.invalid("field '" + field + "' of " + what + " is out of range: expected " + expected(tooLarge.getTargetType()));
            }
            throw TiyiException.invalid((field.isEmpty() ? what + " request" : "field '" + field + "' of " + what) + " is not valid");
        } catch (InputCoercionException e) {
            // A number too large for its field: the parser knows where it stands, the exception does not.
            throw TiyiException.invalid("field '" + path(p.getParsingContext()) + "' of " + what + " is out of range: expected "
                    + expected(e.getTargetType()));
        } catch (StreamReadException e) {
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw TiyiException.invalid(what + " request is not valid JSON" + at + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw TiyiException.invalid(what + " request is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw TiyiException.invalid("cannot read the " + what + " request: " + e.getMessage());
        }
    }

    /** Empty or only JSON whitespace; looked at byte by byte, since a release upload is tens of megabytes. */
    private static boolean blank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> t.asString() == null ? t.name().toLowerCase(java.util.Locale.ROOT) : t.asString();
        };
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]" : r.getFieldName())
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String path(JsonStreamContext ctx) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
            parts.add(c.inArray() ? "[" + c.getCurrentIndex() + "]" : String.valueOf(c.getCurrentName()));
        }
        Collections.reverse(parts);
        return String.join(".", parts).replace(".[", "[");
    }

    /** The JSON shape of a Java type, in words a caller knows. */
    static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == String.class || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type == int.class || type == Integer.class || type == short.class || type == Short.class || type == byte.class
                || type == Byte.class) {
            return "a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (type == long.class || type == Long.class) {
            return "a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == byte[].class) {
            return "a base64 string";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(c -> "'" + Json.MAPPER.convertValue(c, String.class) + "'")
                    .collect(Collectors.joining(", "));
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }
}
