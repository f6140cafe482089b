package io.tiyi.store;

import io.tiyi.internal.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Every kind of mutation, by the name {@code mutation_log} records: what a secondary decodes to
 * replay the primary's log with the same typed code the primary ran. Each feature contributes its
 * own types through {@link MutationKinds}; a test checks that every {@link Mutation} class is here.
 */
public final class MutationTypes {
    private static final Map<String, Class<? extends Mutation<?>>> BY_KIND = index(load());

    private MutationTypes() {}

    private static List<Class<? extends Mutation<?>>> load() {
        List<Class<? extends Mutation<?>>> types = new ArrayList<>();
        types.add(AuditEvent.class);
        for (MutationKinds kinds : ServiceLoader.load(MutationKinds.class, MutationTypes.class.getClassLoader())) {
            types.addAll(kinds.types());
        }
        return types;
    }

    private static Map<String, Class<? extends Mutation<?>>> index(List<Class<? extends Mutation<?>>> types) {
        Map<String, Class<? extends Mutation<?>>> m = new LinkedHashMap<>();
        for (Class<? extends Mutation<?>> t : types) {
            String kind;
            try {
                kind = (String) t.getField("KIND").get(null);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(t.getName() + " has no public static KIND", e);
            }
            if (m.put(kind, t) != null) {
                throw new IllegalStateException("two mutation types share the kind " + kind);
            }
        }
        return Map.copyOf(m);
    }

    /** Every registered type. */
    public static java.util.Collection<Class<? extends Mutation<?>>> all() {
        return BY_KIND.values();
    }

    /**
     * Decodes a logged mutation.
     *
     * @throws IllegalArgumentException for an unknown kind (a newer primary: upgrade this node) or a payload that does not decode
     */
    public static Mutation<?> decode(String kind, String payload) {
        Class<? extends Mutation<?>> t = BY_KIND.get(kind);
        if (t == null) {
            throw new IllegalArgumentException("unknown mutation kind '" + kind + "': the primary runs a newer Tiyi; upgrade this node");
        }
        try {
            return Json.MAPPER.readValue(payload, t);
        } catch (IOException e) {
            throw new IllegalArgumentException("mutation of kind " + kind + " does not decode: " + e.getMessage(), e);
        }
    }
}
