package io.tiyi.waf.engine;

/** {@code chain}: the next rule must also match for this one to count. */
final class Chain implements Action {
    @Override
    public void init(Rule rule) {
        rule.chainsNext = true;
    }
}
