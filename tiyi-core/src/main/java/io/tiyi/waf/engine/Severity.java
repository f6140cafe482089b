package io.tiyi.waf.engine;

/** {@code severity:CRITICAL} or {@code severity:2}: EMERGENCY(0) to DEBUG(7). */
final class Severity implements Action {
    static final java.util.List<String> NAMES = java.util.List.of("EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG");
    private final int severity;

    Severity(String v, String where) {
        String s = v == null ? "" : v.trim().toUpperCase(java.util.Locale.ROOT);
        int i = NAMES.indexOf(s);
        if (i < 0) {
            try {
                i = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                i = -1;
            }
        }
        if (i < 0 || i > 7) {
            throw new io.tiyi.waf.seclang.SecLangException(where, "severity must be 0-7 or one of " + NAMES + ", got '" + v + "'");
        }
        this.severity = i;
    }

    @Override
    public void init(Rule rule) {
        rule.severity = severity;
    }
}
