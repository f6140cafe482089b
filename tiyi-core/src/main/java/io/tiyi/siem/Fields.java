package io.tiyi.siem;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The key/value pairs of one message, in the order they are added. An empty value is dropped, so
 * a receiver never gets a key that says nothing (an unknown site, no upstream).
 */
final class Fields {
    record Field(String key, String value) {}

    private final List<Field> fields = new ArrayList<>();

    Fields add(String key, String value) {
        if (value != null && !value.isEmpty()) {
            fields.add(new Field(key, value));
        }
        return this;
    }

    Fields add(String key, long value) {
        fields.add(new Field(key, Long.toString(value)));
        return this;
    }

    /** A custom field with its label ({@code cs1Label=ruleIds cs1=...}): both, or neither when the value is empty. */
    Fields labelled(String key, String label, String value) {
        if (value != null && !value.isEmpty()) {
            fields.add(new Field(key + "Label", label));
            fields.add(new Field(key, value));
        }
        return this;
    }

    Fields labelled(String key, String label, long value) {
        return labelled(key, label, Long.toString(value));
    }

    List<Field> list() {
        return fields;
    }

    /** {@code key=value} pairs joined by {@code separator}, each value through {@code escape}. */
    String join(String separator, UnaryOperator<String> escape) {
        StringBuilder b = new StringBuilder();
        for (Field f : fields) {
            if (b.length() > 0) {
                b.append(separator);
            }
            b.append(f.key()).append('=').append(escape.apply(f.value()));
        }
        return b.toString();
    }
}
