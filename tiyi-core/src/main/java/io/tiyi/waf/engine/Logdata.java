package io.tiyi.waf.engine;

/** {@code logdata:'text'}: extra data logged with a match, usually {@code %{MATCHED_VAR}}. */
final class Logdata implements Action {
    private final Macro data;

    Logdata(String v) {
        this.data = Macro.of(v == null ? "" : v);
    }

    @Override
    public void init(Rule rule) {
        rule.logdata = data;
    }
}
