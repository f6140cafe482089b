package io.tiyi.waf.engine;

/** {@code tag:'name'}: a label; rules can be removed or excluded by tag. Repeatable. */
final class Tag implements Action {
    private final String tag;

    Tag(String v) {
        this.tag = v == null ? "" : v;
    }

    @Override
    public void init(Rule rule) {
        rule.tags.add(tag);
    }
}
