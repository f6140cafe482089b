package io.tiyi.waf.probe;

import io.tiyi.store.StateStore;

/** A WAF-package class that breaks the rule of direction, for ArchitectureTest to catch. */
public final class ArchitectureProbe {
    private ArchitectureProbe() {}

    static Class<?> uses() {
        return StateStore.class;
    }
}
