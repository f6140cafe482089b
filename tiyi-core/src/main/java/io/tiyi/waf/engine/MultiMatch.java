package io.tiyi.waf.engine;

/** {@code multiMatch}: run the operator after every transformation, not only on the final value. */
final class MultiMatch implements Action {
    @Override
    public void init(Rule rule) {
        rule.multiMatch = true;
    }
}
