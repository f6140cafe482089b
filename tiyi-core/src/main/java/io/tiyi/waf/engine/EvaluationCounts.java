package io.tiyi.waf.engine;

/**
 * What the engine did for one transaction so far, counted as it goes: a cheap measure of its cost
 * that does not depend on the machine, for benchmarks and for tests that keep it from growing.
 *
 * @param rules rule links evaluated (a chain counts each link it reached; markers and removed rules do not count)
 * @param values values inspected by an operator (one per target per rule link)
 * @param regexEvaluations {@code @rx} evaluations
 * @param regexMatcherRuns {@code @rx} evaluations whose value passed the pattern's prefilter, so the matcher ran
 */
public record EvaluationCounts(long rules, long values, long regexEvaluations, long regexMatcherRuns) {}
