package io.tiyi.waf;

import java.time.Duration;
import java.util.Objects;

/**
 * What one transaction may cost the WAF, and what happens to a body it could not inspect. Part of
 * a {@link WafPolicy}; immutable, every field checked when made.
 *
 * <p>Defaults follow ModSecurity's recommended configuration: at most 1000 arguments
 * ({@code SecArgumentsLimit}), 1 MiB of argument bytes in a body without files
 * ({@code SecRequestBodyNoFilesLimit}), JSON nested at most 512 deep
 * ({@code SecRequestBodyJsonDepthLimit}), and a body the processors could not parse refused in
 * block mode (its rules 200002 and 200003). Past the argument limits the body is a body error too.
 *
 * @param maxArguments the most arguments (query and body together) a request may carry, 1 to 1,000,000
 * @param maxArgumentBytes the most bytes of argument names and values in a body without files, 1 to 1 GiB
 * @param maxJsonDepth the deepest JSON nesting parsed, 1 to 10,000
 * @param blockBodyErrors true: a body-processor error ({@code REQBODY_ERROR}, a multipart strict
 *     flag, a limit above) is refused with 400 in block mode and recorded in detect mode; false:
 *     only the variables are set and rules decide
 * @param budget the most wall time phases 1 and 2 of one transaction may take
 * @param regexSteps the most regular-expression steps one transaction may take
 * @param blockOverBudget true: a transaction over its budget is refused with 503 in block mode;
 *     false: it passes uninspected from that point, with a security event either way
 */
public record WafLimits(int maxArguments, long maxArgumentBytes, int maxJsonDepth, boolean blockBodyErrors, Duration budget,
        long regexSteps, boolean blockOverBudget) {
    /** ModSecurity's SecArgumentsLimit in its recommended configuration. */
    public static final int DEFAULT_MAX_ARGUMENTS = 1000;
    /** ModSecurity's default SecRequestBodyNoFilesLimit: 1 MiB. */
    public static final long DEFAULT_MAX_ARGUMENT_BYTES = 1L << 20;
    /** ModSecurity's SecRequestBodyJsonDepthLimit in its recommended configuration. */
    public static final int DEFAULT_MAX_JSON_DEPTH = 512;
    /** Wall time of phases 1 and 2 of one transaction. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(1);
    /** Regular-expression steps of one transaction. */
    public static final long DEFAULT_REGEX_STEPS = 50_000_000L;

    public WafLimits {
        if (maxArguments < 1 || maxArguments > 1_000_000) {
            throw new IllegalArgumentException("maxArguments must be 1 to 1000000, got " + maxArguments);
        }
        if (maxArgumentBytes < 1 || maxArgumentBytes > WafPolicy.MAX_REQUEST_BODY_LIMIT) {
            throw new IllegalArgumentException("maxArgumentBytes must be 1 to " + WafPolicy.MAX_REQUEST_BODY_LIMIT + ", got " + maxArgumentBytes);
        }
        if (maxJsonDepth < 1 || maxJsonDepth > 10_000) {
            throw new IllegalArgumentException("maxJsonDepth must be 1 to 10000, got " + maxJsonDepth);
        }
        Objects.requireNonNull(budget, "budget");
        if (budget.isNegative() || budget.isZero() || budget.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("budget must be more than 0 and at most 10m, got " + budget);
        }
        if (regexSteps < 1000) {
            throw new IllegalArgumentException("regexSteps must be at least 1000, got " + regexSteps);
        }
    }

    /** The defaults above. */
    public static WafLimits defaults() {
        return new WafLimits(DEFAULT_MAX_ARGUMENTS, DEFAULT_MAX_ARGUMENT_BYTES, DEFAULT_MAX_JSON_DEPTH, true, DEFAULT_BUDGET,
                DEFAULT_REGEX_STEPS, true);
    }

    public WafLimits withMaxArguments(int n) {
        return new WafLimits(n, maxArgumentBytes, maxJsonDepth, blockBodyErrors, budget, regexSteps, blockOverBudget);
    }

    public WafLimits withMaxArgumentBytes(long n) {
        return new WafLimits(maxArguments, n, maxJsonDepth, blockBodyErrors, budget, regexSteps, blockOverBudget);
    }

    public WafLimits withMaxJsonDepth(int n) {
        return new WafLimits(maxArguments, maxArgumentBytes, n, blockBodyErrors, budget, regexSteps, blockOverBudget);
    }

    public WafLimits withBlockBodyErrors(boolean on) {
        return new WafLimits(maxArguments, maxArgumentBytes, maxJsonDepth, on, budget, regexSteps, blockOverBudget);
    }

    public WafLimits withBudget(Duration time, long steps) {
        return new WafLimits(maxArguments, maxArgumentBytes, maxJsonDepth, blockBodyErrors, time, steps, blockOverBudget);
    }

    public WafLimits withBlockOverBudget(boolean on) {
        return new WafLimits(maxArguments, maxArgumentBytes, maxJsonDepth, blockBodyErrors, budget, regexSteps, on);
    }
}
