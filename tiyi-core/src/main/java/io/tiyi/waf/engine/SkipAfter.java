package io.tiyi.waf.engine;

/** {@code skipAfter:MARKER}: when the rule matches, continue after the SecMarker (or rule id) named. */
final class SkipAfter implements Action {
    private final String marker;

    SkipAfter(String v, String where) {
        if (v == null || v.isBlank()) {
            throw new io.tiyi.waf.seclang.SecLangException(where, "skipAfter needs a marker name");
        }
        this.marker = v.trim();
    }

    @Override
    public void init(Rule rule) {
        rule.skipAfter = marker;
    }
}
