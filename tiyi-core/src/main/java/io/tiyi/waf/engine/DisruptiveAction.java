package io.tiyi.waf.engine;

/** {@code deny}, {@code drop}, {@code block}, {@code pass}, {@code allow}: what a match does to the transaction. */
final class DisruptiveAction implements Action {
    private final Disruptive d;
    private final String allowScope;

    DisruptiveAction(Disruptive d, String allowScope) {
        this.d = d;
        this.allowScope = allowScope;
    }

    @Override
    public void init(Rule rule) {
        rule.disruptive = d;
        if (d == Disruptive.ALLOW) {
            rule.allowScope = allowScope == null ? "" : allowScope.trim().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
