package io.tiyi.waf.engine;

/** {@code id:N}: the rule id, unique in a rule set. */
final class Id implements Action {
    private final long id;

    Id(String v, String where) {
        try {
            this.id = Long.parseLong(v.trim());
        } catch (RuntimeException e) {
            throw new io.tiyi.waf.seclang.SecLangException(where, "id must be a number, got '" + v + "'");
        }
        if (id <= 0) {
            throw new io.tiyi.waf.seclang.SecLangException(where, "id must be positive, got " + v);
        }
    }

    @Override
    public void init(Rule rule) {
        rule.id = id;
    }
}
