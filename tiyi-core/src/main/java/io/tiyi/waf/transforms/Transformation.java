package io.tiyi.waf.transforms;

/**
 * One SecLang transformation ({@code t:name}). Values are byte strings: each char is one byte 0..255.
 *
 * <p>Implementations are obtained from {@link Transformations#byName(String)}; they are stateless
 * singletons, safe to share between threads.
 */
public interface Transformation {

    /** The SecLang name, as written in rules, e.g. "urlDecodeUni". */
    String name();

    /**
     * Transforms a byte string. Returns the same String instance when nothing changed (callers use
     * identity to skip work). Never null. Must be thread-safe and stateless.
     */
    String apply(String input);
}
