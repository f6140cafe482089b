package io.tiyi.testsupport;

/**
 * What the Jazzer fuzz targets ({@code *FuzzTest}) share. Each runs its seed corpus
 * ({@code src/test/resources/<package>/<Class>Inputs/<method>/}) as a regression test in the unit
 * suite, and is fuzzed for a bounded time by its own surefire execution in {@code mvn verify}.
 */
public final class Fuzzing {
    /**
     * How long one input may take, in seconds. In fuzzing mode Jazzer passes a {@code @Timeout} to
     * libFuzzer as {@code -timeout}, so a slow input is a finding (the fuzzing executions switch off
     * JUnit's own timeout, which would otherwise apply to the whole run); in regression mode JUnit
     * applies it to each seed.
     */
    public static final long TIMEOUT_SECONDS = 10;

    private Fuzzing() {}
}
