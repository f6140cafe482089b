package io.tiyi.waf;

import java.util.Locale;

/**
 * What a {@link WafPolicy} adds around the rule set.
 *
 * <p>{@link #STANDARD} is Tiyi's blocking profile for sites: the CRS with a protocol policy for
 * today's traffic, so that blocking can be switched on without refusing ordinary requests.
 * It allows the request content types modern sites send (plain-text beacons, NDJSON and JSON
 * report formats, GraphQL, protobuf and other binary uploads), and it allows
 * {@code Content-Encoding} on requests, whose bodies the engine inspects decoded. Everything
 * else is the CRS at the policy's paranoia level. {@link #CRS} is the rule set as it ships.
 */
public enum WafProfile {
    /** Tiyi's default for sites: the CRS with a protocol policy for modern traffic. */
    STANDARD("standard"),
    /** The rule set as it ships, with nothing of Tiyi's around it. */
    CRS("crs");

    private final String id;

    WafProfile(String id) {
        this.id = id;
    }

    /** The name the CLI, the API and the console use: {@code standard} or {@code crs}. */
    public String id() {
        return id;
    }

    /**
     * The profile named {@code id}, ignoring case.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static WafProfile of(String id) {
        String s = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        for (WafProfile p : values()) {
            if (p.id.equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("profile must be standard or crs, got '" + id + "'");
    }
}
