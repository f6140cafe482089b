package io.tiyi.waf.engine;

/** {@code redirect:URL}: answer 302 with a Location header. */
final class Redirect implements Action {
    private final Macro url;

    Redirect(String v) {
        this.url = Macro.of(v == null ? "" : v);
    }

    @Override
    public void init(Rule rule) {
        rule.disruptive = Disruptive.REDIRECT;
        rule.redirect = url;
    }
}
