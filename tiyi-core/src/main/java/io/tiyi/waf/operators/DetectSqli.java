package io.tiyi.waf.operators;

import io.tiyi.waf.injection.Sqli;

/**
 * {@code @detectSQLi}: true when libinjection-equivalent SQL injection detection flags the value;
 * with {@code capture}, {@code TX.0} is the fingerprint that decided.
 *
 * <pre>SecRule ARGS "@detectSQLi" "id:942100,block"</pre>
 */
public final class DetectSqli implements Operator {
    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        Sqli.Result r = Sqli.detect(value);
        if (r.injection() && ctx.capturing()) {
            ctx.capture(0, r.fingerprint());
        }
        return r.injection();
    }
}
