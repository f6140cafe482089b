package io.tiyi.waf.engine;

/** {@code msg:'text'}: the message logged when the rule matches; macros expand at match time. */
final class Msg implements Action {
    private final Macro msg;

    Msg(String v) {
        this.msg = Macro.of(v == null ? "" : v);
    }

    @Override
    public void init(Rule rule) {
        rule.msg = msg;
    }
}
