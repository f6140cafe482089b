package io.tiyi.waf.engine;

/**
 * Actions accepted for compatibility whose effect this engine does not keep: {@code expirevar},
 * {@code initcol}, {@code sanitise*}, {@code setuid}, {@code setsid}, {@code deprecatevar},
 * {@code xmlns}, {@code append}, {@code prepend} (collections live for one transaction; there
 * is no audit log to sanitise).
 */
final class NoOpAction implements Action {
    @Override
    public void init(Rule rule) {
        // Nothing to configure.
    }
}
