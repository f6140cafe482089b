package io.tiyi.cluster;

import java.util.Locale;

/** What a node does. Control-plane roles also run an embedded agent, so every node proxies. */
public enum Role {
    /** Holds state, accepts mutations, signs bundles. */
    PRIMARY,
    /** Replicates the primary and can be promoted. */
    SECONDARY,
    /** Data plane only. */
    AGENT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
