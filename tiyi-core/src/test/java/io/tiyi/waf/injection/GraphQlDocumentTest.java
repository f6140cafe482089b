package io.tiyi.waf.injection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GraphQlDocumentTest {
    @Test
    void documentsGiveTheirStringValues() {
        assertThat(GraphQlDocument.strings("{ me { id name } }")).isEmpty();
        assertThat(GraphQlDocument.strings("query Product($id: ID!, $n: Int = 10) { product(id: $id) { reviews(first: $n, after: null) "
                + "{ edges { node { rating title } } } } }")).isEmpty();
        assertThat(GraphQlDocument.strings("mutation { addToCart(input: {sku: \"AB-1\", qty: 2, price: -1.5e3, tags: [\"a\\\"b\", \"\\u0041\"]}) "
                + "{ cart { id } } }")).containsExactly("AB-1", "a\"b", "A");
        assertThat(GraphQlDocument.strings("# a comment\nquery Q @cached(ttl: 60) {\n  ...F\n  ... on User { id }\n}\nfragment F on Query { x }"))
                .isEmpty();
        assertThat(GraphQlDocument.strings("{ doc(text: \"\"\"line one\nline \\\"\"\" two\"\"\") }")).containsExactly("line one\nline \"\"\" two");
        assertThat(GraphQlDocument.strings("\uFEFF{a,b,c}")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "id", "name", "{}x{", "{ a ", "{ a ) }", "cat /etc/passwd", "{ id; }", "x; { id }", "$(id)", "`id`",
        "{\"query\":\"{ a }\"}", "SELECT * FROM users", "Time to order a second pair!", "query", "fragment F on X", "{ a(b: 01) }",
        "{ a(b: 1x) }", "{ a(b: \"unterminated) }", "{ a(b: \"line\nbreak\") }", "{ a(b: \"\\q\") }", "{ a.b }", "{ a } | ls", "{ a } && id",
        "query X { a } ; rm -rf /", "{ a(b: 1.) }", "{ a(b: .5) }", "<script>{a}</script>"})
    void everythingElseIsNotADocument(String s) {
        assertThat(GraphQlDocument.strings(s)).as(s).isNull();
    }
}
