package io.tiyi.waf.engine;

/** {@code ver:'OWASP_CRS/4.x'}: the rule set version, logged. */
final class Ver implements Action {
    private final String ver;

    Ver(String v) {
        this.ver = v;
    }

    @Override
    public void init(Rule rule) {
        rule.ver = ver;
    }
}
