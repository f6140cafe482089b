package io.tiyi.waf.engine;

/** {@code t:name}: a transformation applied to each value before the operator; {@code t:none} drops the ones inherited so far. */
final class T implements Action {
    private final io.tiyi.waf.transforms.Transformation t;

    T(String v, String where) {
        if (v == null || v.isBlank()) {
            throw new io.tiyi.waf.seclang.SecLangException(where, "t: needs a transformation name");
        }
        if (v.trim().equalsIgnoreCase("none")) {
            this.t = null;
        } else {
            this.t = io.tiyi.waf.transforms.Transformations.byName(v.trim()).orElseThrow(() -> new io.tiyi.waf.seclang.SecLangException(where,
                    "unknown transformation t:" + v + " (known: " + io.tiyi.waf.transforms.Transformations.names() + ")"));
        }
    }

    @Override
    public void init(Rule rule) {
        if (t == null) {
            rule.transformations.clear();
            rule.noneSeen = true;
        } else {
            rule.transformations.add(t);
        }
    }
}
