package io.tiyi.waf.engine;

/** What a matched rule does to the transaction. */
enum Disruptive {
    PASS,
    DENY,
    DROP,
    REDIRECT,
    ALLOW,
    /** Whatever SecDefaultAction of the rule's phase says; resolved at load. */
    BLOCK
}
