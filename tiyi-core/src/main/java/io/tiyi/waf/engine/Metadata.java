package io.tiyi.waf.engine;

/** Metadata actions that are recorded nowhere the engine reads ({@code rev}, {@code maturity}, {@code accuracy}). */
final class Metadata implements Action {
    @Override
    public void init(Rule rule) {
        // Accepted for compatibility; nothing in evaluation depends on it.
    }
}
