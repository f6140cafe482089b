package io.tiyi.waf.engine;

/** {@code skip:N}: when the rule matches, skip the next N rules (a chain counts as one). */
final class Skip implements Action {
    private final int n;

    Skip(String v, String where) {
        try {
            this.n = Integer.parseInt(v.trim());
        } catch (RuntimeException e) {
            throw new io.tiyi.waf.seclang.SecLangException(where, "skip needs a number of rules, got '" + v + "'");
        }
    }

    @Override
    public void init(Rule rule) {
        rule.skip = n;
    }
}
