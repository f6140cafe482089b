package io.tiyi.waf;

import io.tiyi.waf.engine.RuleSetCompiler;
import io.tiyi.waf.injection.GraphQlDocument;
import io.tiyi.waf.injection.RichText;
import io.tiyi.waf.injection.Xss;
import java.util.List;

/**
 * The second opinions of {@link WafProfile#STANDARD}: CRS rules whose pattern also matches
 * ordinary text of a language it was not written for, confirmed by a parser of that language.
 */
final class StandardConfirmations {
    /** CRS 941160, NoScript's HTML injection check: it matches any tag with a src or style, as rich-text editors send them. */
    static final long HTML_INJECTION = 941_160;
    /** CRS 932235, Unix commands: it reads a GraphQL selection set such as "{ id name }" as a shell brace group. */
    static final long UNIX_COMMAND = 932_235;

    private StandardConfirmations() {}

    static void apply(RuleSetCompiler c) {
        // Markup counts unless it is all rich text an HTML sanitiser would keep (formatting tags,
        // presentational attributes, http(s) or relative URLs: the <img src="https://..."> of a
        // review) and the HTML5 tokenizer of @detectXSS finds no script in it either.
        c.confirm(HTML_INJECTION, (op, ctx, value) -> Xss.detect(value) || !RichText.isRichText(value));
        // A GraphQL document is names and punctuation a GraphQL server parses, plus string values:
        // only those can carry a command, so the pattern must match one of them.
        c.confirm(UNIX_COMMAND, (op, ctx, value) -> {
            List<String> strings = GraphQlDocument.strings(value);
            if (strings == null) {
                return true;
            }
            for (String s : strings) {
                if (op.evaluate(ctx, s)) {
                    return true;
                }
            }
            return false;
        });
    }
}
