package io.tiyi.waf.engine;

import io.tiyi.waf.variables.TxVariables;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Text with {@code %{COLLECTION.key}} / {@code %{VARIABLE}} references, split once at load so
 * that expansion is a walk over parts. Constant text expands to itself without allocation.
 */
final class Macro {
    /**
     * A literal, or a reference; {@code keyed} when it names an entry of a keyed collection, which
     * is then looked up by {@code lowerKey} directly (decided here, not per expansion).
     */
    private record Part(String literal, String collection, String key, boolean keyed, String lowerKey) {
        Part(String literal) {
            this(literal, null, null, false, null);
        }

        static Part reference(String collection, String key) {
            boolean keyed = key != null && !collection.equals("RULE") && TxVariables.keyedName(collection);
            return new Part(null, collection, key, keyed, keyed ? key.toLowerCase(Locale.ROOT) : null);
        }

        String value(TxState tx) {
            if (literal != null) {
                return literal;
            }
            return keyed ? tx.lookupKeyed(collection, lowerKey) : tx.lookup(collection, key);
        }
    }

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
                parts.add(new Part(text.substring(i)));
                break;
            }
            if (s > i) {
                parts.add(new Part(text.substring(i, s)));
            }
            String ref = text.substring(s + 2, e).trim();
            int dot = ref.indexOf('.');
            if (dot < 0) {
                dot = ref.indexOf(':');
            }
            String coll = (dot < 0 ? ref : ref.substring(0, dot)).toUpperCase(Locale.ROOT);
            String key = dot < 0 ? null : ref.substring(dot + 1);
            parts.add(Part.reference(coll, key));
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
        if (parts.size() == 1) {
            // A lone reference (a score increment, a copied variable) is its value: no copy.
            return parts.get(0).value(tx);
        }
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            sb.append(p.value(tx));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
