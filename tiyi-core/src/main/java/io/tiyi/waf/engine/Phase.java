package io.tiyi.waf.engine;

/** {@code phase:1-5} (or {@code request} = 2, {@code response} = 4, {@code logging} = 5). */
final class Phase implements Action {
    private final int phase;

    Phase(String v, String where) {
        this.phase = parse(v, where);
    }

    static int parse(String v, String where) {
        if (v == null) {
            // A bare "phase" in a rule's actions: read before the actions themselves are checked.
            throw new io.tiyi.waf.seclang.SecLangException(where, "action phase needs a value (phase:...)");
        }
        switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "request":
                return 2;
            case "response":
                return 4;
            case "logging":
                return 5;
            default:
                try {
                    int p = Integer.parseInt(v.trim());
                    if (p >= 1 && p <= 5) {
                        return p;
                    }
                } catch (NumberFormatException e) {
                    // fall through to the error below
                }
                throw new io.tiyi.waf.seclang.SecLangException(where, "phase must be 1-5, request, response or logging; got '" + v + "'");
        }
    }

    @Override
    public void init(Rule rule) {
        rule.phase = phase;
    }
}
