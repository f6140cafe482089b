package io.tiyi.waf.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Text with {@code %{COLLECTION.key}} / {@code %{VARIABLE}} references, split once at load so
 * that expansion is a walk over parts. Constant text expands to itself without allocation.
 */
final class Macro {
    private record Part(String literal, String collection, String key) {}

    private final String text;
    private final List<Part> parts;

    private Macro(String text, List<Part> parts) {
        this.text = text;
        this.parts = parts;
    }

    static Macro of(String text) {
        if (text == null) {
            return null;
        }
        if (!text.contains("%{")) {
            return new Macro(text, null);
        }
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int s = text.indexOf("%{", i);
            int e = s < 0 ? -1 : text.indexOf('}', s + 2);
            if (s < 0 || e < 0) {
                parts.add(new Part(text.substring(i), null, null));
                break;
            }
            if (s > i) {
                parts.add(new Part(text.substring(i, s), null, null));
            }
            String ref = text.substring(s + 2, e).trim();
            int dot = ref.indexOf('.');
            if (dot < 0) {
                dot = ref.indexOf(':');
            }
            String coll = (dot < 0 ? ref : ref.substring(0, dot)).toUpperCase(Locale.ROOT);
            String key = dot < 0 ? null : ref.substring(dot + 1);
            parts.add(new Part(null, coll, key));
            i = e + 1;
        }
        return new Macro(text, parts);
    }

    boolean isConstant() {
        return parts == null;
    }

    String text() {
        return text;
    }

    String expand(TxState tx) {
        if (parts == null) {
            return text;
        }
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (p.literal() != null) {
                sb.append(p.literal());
            } else {
                sb.append(tx.lookup(p.collection(), p.key()));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
