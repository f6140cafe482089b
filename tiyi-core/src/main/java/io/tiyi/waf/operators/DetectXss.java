package io.tiyi.waf.operators;

import io.tiyi.waf.injection.Xss;

/**
 * {@code @detectXSS}: true when libinjection-equivalent XSS detection flags the value.
 *
 * <pre>SecRule ARGS "@detectXSS" "id:941100,block"</pre>
 */
final class DetectXss implements Operator {
    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return Xss.detect(value);
    }
}
