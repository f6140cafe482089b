package io.tiyi.waf;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link TiyiWaf} applies its rules: the mode, the CRS paranoia level and anomaly
 * thresholds, rule exclusions, the request body limit and the {@linkplain WafProfile profile}.
 * Immutable; every field is checked when the policy is made, and a bad value is refused with a
 * message that names it.
 *
 * <pre>{@code
 * WafPolicy policy = WafPolicy.of(WafMode.BLOCK)
 *     .withParanoia(2)
 *     .withExclusion(RuleExclusion.rule(942100).onPath("/search").onMethod("GET"));
 * }</pre>
 *
 * Paranoia and thresholds are set as the CRS variables {@code tx.blocking_paranoia_level},
 * {@code tx.detection_paranoia_level}, {@code tx.inbound_anomaly_score_threshold} and
 * {@code tx.outbound_anomaly_score_threshold}; rule sets other than CRS may read them or not.
 *
 * @param mode off, detect (report only) or block
 * @param paranoia CRS paranoia level, 1 to 4
 * @param inboundThreshold inbound anomaly score at which a request is blocked, 1 to 10000
 * @param outboundThreshold outbound anomaly score at which a response is blocked, 1 to 10000
 * @param exclusions rules (or targets of rules) taken out, everywhere or on a path or method
 * @param requestBodyLimit the most request body bytes held for inspection (SecRequestBodyLimit)
 * @param limits argument caps, body-error handling and the per-transaction budget
 * @param profile what Tiyi adds around the rule set ({@link WafProfile}); {@link #of} gives
 *     {@link WafProfile#CRS}, the rule set as it ships
 */
public record WafPolicy(WafMode mode, int paranoia, int inboundThreshold, int outboundThreshold, List<RuleExclusion> exclusions,
        long requestBodyLimit, WafLimits limits, WafProfile profile) {
    /** ModSecurity's recommended SecRequestBodyLimit: 12.5 MiB. */
    public static final long DEFAULT_REQUEST_BODY_LIMIT = 13_107_200;
    /** The largest request body limit a policy accepts: 1 GiB. */
    public static final long MAX_REQUEST_BODY_LIMIT = 1L << 30;

    public WafPolicy {
        Objects.requireNonNull(mode, "mode");
        if (paranoia < 1 || paranoia > 4) {
            throw new IllegalArgumentException("paranoia must be 1 to 4, got " + paranoia);
        }
        if (inboundThreshold < 1 || inboundThreshold > 10_000) {
            throw new IllegalArgumentException("inboundThreshold must be 1 to 10000, got " + inboundThreshold);
        }
        if (outboundThreshold < 1 || outboundThreshold > 10_000) {
            throw new IllegalArgumentException("outboundThreshold must be 1 to 10000, got " + outboundThreshold);
        }
        if (requestBodyLimit < 1 || requestBodyLimit > MAX_REQUEST_BODY_LIMIT) {
            throw new IllegalArgumentException("requestBodyLimit must be 1 to " + MAX_REQUEST_BODY_LIMIT + " bytes, got " + requestBodyLimit);
        }
        exclusions = List.copyOf(Objects.requireNonNull(exclusions, "exclusions"));
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(profile, "profile");
    }

    /** A policy of the {@link WafProfile#CRS} profile. */
    public WafPolicy(WafMode mode, int paranoia, int inboundThreshold, int outboundThreshold, List<RuleExclusion> exclusions,
            long requestBodyLimit, WafLimits limits) {
        this(mode, paranoia, inboundThreshold, outboundThreshold, exclusions, requestBodyLimit, limits, WafProfile.CRS);
    }

    /** A policy with the default {@link WafLimits}. */
    public WafPolicy(WafMode mode, int paranoia, int inboundThreshold, int outboundThreshold, List<RuleExclusion> exclusions,
            long requestBodyLimit) {
        this(mode, paranoia, inboundThreshold, outboundThreshold, exclusions, requestBodyLimit, WafLimits.defaults());
    }

    public WafPolicy withLimits(WafLimits l) {
        return new WafPolicy(mode, paranoia, inboundThreshold, outboundThreshold, exclusions, requestBodyLimit, l, profile);
    }

    /** CRS's defaults in {@code mode}: paranoia 1, inbound threshold 5, outbound 4, no exclusions. */
    public static WafPolicy of(WafMode mode) {
        return new WafPolicy(mode, 1, 5, 4, List.of(), DEFAULT_REQUEST_BODY_LIMIT, WafLimits.defaults());
    }

    public WafPolicy withMode(WafMode m) {
        return new WafPolicy(m, paranoia, inboundThreshold, outboundThreshold, exclusions, requestBodyLimit, limits, profile);
    }

    public WafPolicy withParanoia(int level) {
        return new WafPolicy(mode, level, inboundThreshold, outboundThreshold, exclusions, requestBodyLimit, limits, profile);
    }

    public WafPolicy withThresholds(int inbound, int outbound) {
        return new WafPolicy(mode, paranoia, inbound, outbound, exclusions, requestBodyLimit, limits, profile);
    }

    public WafPolicy withRequestBodyLimit(long bytes) {
        return new WafPolicy(mode, paranoia, inboundThreshold, outboundThreshold, exclusions, bytes, limits, profile);
    }

    /** This policy with {@code p} around its rule set. */
    public WafPolicy withProfile(WafProfile p) {
        return new WafPolicy(mode, paranoia, inboundThreshold, outboundThreshold, exclusions, requestBodyLimit, limits, p);
    }

    /** This policy with one more exclusion. */
    public WafPolicy withExclusion(RuleExclusion exclusion) {
        List<RuleExclusion> all = new ArrayList<>(exclusions);
        all.add(Objects.requireNonNull(exclusion, "exclusion"));
        return new WafPolicy(mode, paranoia, inboundThreshold, outboundThreshold, all, requestBodyLimit, limits, profile);
    }
}
