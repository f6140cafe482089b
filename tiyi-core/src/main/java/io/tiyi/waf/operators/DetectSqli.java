package io.tiyi.waf.operators;

import io.tiyi.waf.injection.Sqli;

/**
 * {@code @detectSQLi}: true when libinjection-equivalent SQL injection detection flags the value;
 * with {@code capture}, {@code TX.0} is the fingerprint that decided.
 *
 * <pre>SecRule ARGS "@detectSQLi" "id:942100,block"</pre>
 */
final class DetectSqli implements Operator {
    /** Refuses to compile a rule whose detector could not run, instead of failing every request later. */
    public DetectSqli() {
        try {
            Sqli.preload();
        } catch (IllegalStateException e) {
            throw new io.tiyi.waf.seclang.SecLangException("@detectSQLi cannot run: " + e.getMessage());
        }
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        Sqli.Result r = Sqli.detect(value);
        if (r.injection() && ctx.capturing()) {
            ctx.capture(0, r.fingerprint());
        }
        return r.injection();
    }
}
