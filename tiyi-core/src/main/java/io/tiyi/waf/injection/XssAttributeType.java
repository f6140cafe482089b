package io.tiyi.waf.injection;

/** What an attribute name means for XSS (libinjection's {@code attribute_t}): decides how its value is judged. */
enum XssAttributeType {
    /** Harmless attribute: any value. */
    NONE,
    /** Any value is an attack (event handlers, {@code xmlns*}, {@code xlink*}, {@code datasrc}, ...). */
    BLACK,
    /** The value is a URL: an attack when its scheme is {@code javascript:}, {@code data:}, ... */
    URL,
    /** Inline style ({@code style}, {@code filter}): any value is an attack. */
    STYLE,
    /** SVG {@code attributeName}: the value names another attribute, an attack when that one is blacklisted. */
    INDIRECT
}
