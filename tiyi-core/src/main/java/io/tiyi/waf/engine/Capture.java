package io.tiyi.waf.engine;

/** {@code capture}: {@code @rx} groups (and the {@code @pm} phrase) go to {@code TX.0}-{@code TX.9}. */
final class Capture implements Action {
    @Override
    public void init(Rule rule) {
        rule.capture = true;
    }
}
