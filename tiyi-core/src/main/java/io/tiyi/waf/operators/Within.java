package io.tiyi.waf.operators;

/**
 * {@code @within TEXT}: true when the value occurs inside the (macro-expanded) text, as CRS uses it
 * for allow-lists: {@code "@within %{tx.allowed_methods}"}. The empty value occurs inside every
 * text and so matches, as in ModSecurity and Coraza.
 */
final class Within implements Operator {
    private final String arg;

    public Within(String arg) {
        this.arg = arg;
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return ctx.expand(arg).contains(value);
    }
}
