package io.tiyi.waf.injection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RichTextTest {
    @ParameterizedTest
    @ValueSource(strings = {"<p>Great product, <strong>fast delivery</strong>!</p><ul><li>fits well</li></ul>",
        "<p><img src=\"https://cdn.shop.test/u/123/photo.jpg\" alt=\"my photo\" width=\"300\"></p>",
        "<h2>Update</h2><p>See <a href=\"https://shop.test/returns\" target=\"_blank\" rel=\"noopener\">returns</a>.</p>",
        "<table><tr><td colspan=2>Size</td></tr></table>", "<p>line<br/>break<br>again</p>", "<img src=photo.jpg alt=''>",
        "<a href='#top'>top</a> <a href=\"/help\">help</a> <a href=\"mailto:help@shop.test\">mail</a>", "<P CLASS=\"lead\">Shouting</P>"})
    void editorMarkupIsRichText(String s) {
        assertThat(RichText.isRichText(s)).as(s).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"no markup at all", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"data:text/html,x\">x</a>", "<img src=\"java&#x09;script:x\">", "<p style=\"x\">a</p>", "<svg onload=alert(1)>", "<f o r m>",
        "< x: script", "<x onend=", "\"onzoom=x <b>a</b>", "<b>a</b> 'formaction=x", "<iframe src=\"https://x\"></iframe>",
        "<img src=\"https://x\" <script>", "<details open ontoggle=alert(1)>", "<p title=\"<script>\">x</p>", "<a href=//evil.test>x</a> src=x"})
    void anythingElseIsNot(String s) {
        assertThat(RichText.isRichText(s)).as(s).isFalse();
    }
}
