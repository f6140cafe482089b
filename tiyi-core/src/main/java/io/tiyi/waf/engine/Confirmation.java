package io.tiyi.waf.engine;

import io.tiyi.waf.operators.MatchContext;
import io.tiyi.waf.operators.Operator;

/**
 * A second opinion on a rule's match: the rule's operator matched {@code value} (transformed as
 * the rule says), and the match counts only when this agrees, as a parser or tokenizer of the
 * value's language sees it. Set per rule with {@link RuleSetCompiler#confirm}.
 */
@FunctionalInterface
public interface Confirmation {
    /**
     * Whether the match stands.
     *
     * @param matched the rule's operator, which may be run again on parts of the value
     */
    boolean confirms(Operator matched, MatchContext ctx, String value);
}
