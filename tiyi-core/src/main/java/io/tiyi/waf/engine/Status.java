package io.tiyi.waf.engine;

/** {@code status:N}: the HTTP status of a deny (default 403). */
final class Status implements Action {
    private final int status;

    Status(String v, String where) {
        try {
            this.status = Integer.parseInt(v.trim());
        } catch (RuntimeException e) {
            throw new io.tiyi.waf.seclang.SecLangException(where, "status needs an HTTP status code, got '" + v + "'");
        }
    }

    @Override
    public void init(Rule rule) {
        rule.status = status;
    }
}
