package io.tiyi.waf.injection;

/** The kinds of token {@link Html5Tokenizer} produces, named as libinjection's {@code enum html5_type}. */
enum Html5TokenType {
    /** Text between tags, and the content of a {@code <![CDATA[...]]>} section. */
    DATA_TEXT,
    /** The name of a start tag ({@code <name}), or of an end tag followed by attributes or blanks. */
    TAG_NAME_OPEN,
    /** The {@code >} that ends a start tag. */
    TAG_NAME_CLOSE,
    /** The {@code />} that ends a self-closing start tag. */
    TAG_NAME_SELFCLOSE,
    /** Declared for parity with libinjection; the tokenizer never produces it. */
    TAG_DATA,
    /** The name of an end tag written {@code </name>}. */
    TAG_CLOSE,
    ATTR_NAME,
    /** An attribute value without its quotes. */
    ATTR_VALUE,
    /** The body of {@code <!--...-->}, {@code <!...>}, {@code <?...>}, {@code </ ...>} or {@code <%...%>}. */
    TAG_COMMENT,
    /** {@code <!DOCTYPE ...>}: the text from {@code DOCTYPE} up to the {@code >}. */
    DOCTYPE
}
