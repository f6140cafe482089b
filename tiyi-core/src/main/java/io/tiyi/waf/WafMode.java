package io.tiyi.waf;

/** What the WAF does with a match. */
public enum WafMode {
    /** Rules do not run. */
    OFF,
    /** Rules run and matches are reported; nothing is interrupted. */
    DETECT,
    /** Rules run and disruptive actions interrupt. */
    BLOCK
}
