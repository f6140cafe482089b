package io.tiyi.waf.engine;

/** {@code log} / {@code nolog}: whether a match is logged (and counted in security events). */
final class Log implements Action {
    private final boolean log;

    Log(boolean log) {
        this.log = log;
    }

    @Override
    public void init(Rule rule) {
        rule.log = log;
    }
}
