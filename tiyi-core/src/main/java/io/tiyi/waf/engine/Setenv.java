package io.tiyi.waf.engine;

/** {@code setenv:name=value}: sets {@code ENV:name} for the rest of the transaction. */
final class Setenv implements Action {
    private final Macro name;
    private final Macro value;

    Setenv(String v, String where) {
        int eq = v == null ? -1 : v.indexOf('=');
        if (eq <= 0) {
            throw new io.tiyi.waf.seclang.SecLangException(where, "setenv needs name=value");
        }
        this.name = Macro.of(v.substring(0, eq).trim());
        this.value = Macro.of(v.substring(eq + 1));
    }

    @Override
    public void init(Rule rule) {
        // Runs at match time only.
    }

    @Override
    public boolean runtime() {
        return true;
    }

    @Override
    public void execute(TxState tx, Rule rule) {
        tx.vars().collection("ENV").set(name.expand(tx), value.expand(tx));
    }
}
