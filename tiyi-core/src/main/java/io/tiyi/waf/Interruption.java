package io.tiyi.waf;

/**
 * The WAF decided to stop a transaction.
 *
 * @param status the HTTP status to answer
 * @param action {@code deny}, {@code drop} (close the connection) or {@code redirect}
 * @param ruleId the rule that decided
 * @param message that rule's message
 * @param redirectUrl where to redirect, for {@code redirect}
 */
public record Interruption(int status, String action, long ruleId, String message, String redirectUrl) {}
