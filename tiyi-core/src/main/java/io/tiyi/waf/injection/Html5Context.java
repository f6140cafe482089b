package io.tiyi.waf.injection;

/**
 * Where in an HTML document the tokenized input is assumed to be inserted (libinjection's {@code enum html5_flags}):
 * the XSS check tries each of them, since a WAF does not know where the application echoes a parameter.
 */
enum Html5Context {
    /** Between tags: {@code <p>INPUT</p>}. */
    DATA_STATE,
    /** In an unquoted attribute value, {@code <a title=INPUT>}: the first blank ends the value. */
    VALUE_NO_QUOTE,
    /** In {@code '...'}: the input is a value up to its first {@code '}. */
    VALUE_SINGLE_QUOTE,
    /** In {@code "..."}: the input is a value up to its first {@code "}. */
    VALUE_DOUBLE_QUOTE,
    /** In {@code `...`} (an old IE quoting): the input is a value up to its first backtick. */
    VALUE_BACK_QUOTE
}
