package io.tiyi.waf.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven tests of the SecLang transformations. Values are byte strings (one char per byte),
 * so bytes that are not printable ASCII are written as Java unicode escapes of 00XX (or as the
 * escapes for newline, carriage return, backslash and double quote, where Java needs those forms).
 */
class TransformationsTest {

    /** Every name the registry must hold, aliases included. */
    private static final List<String> ALL_NAMES = List.of(
            "lowercase", "uppercase", "urlDecode", "urlDecodeUni", "htmlEntityDecode", "jsDecode",
            "cssDecode", "cmdLine", "compressWhitespace", "removeWhitespace", "removeNulls",
            "replaceNulls", "replaceComments", "removeComments", "removeCommentsChar",
            "normalizePath", "normalisePath", "normalizePathWin", "normalisePathWin",
            "base64Decode", "base64DecodeExt", "base64Encode", "hexDecode", "hexEncode",
            "sqlHexDecode", "escapeSeqDecode", "utf8toUnicode", "length", "md5", "sha1",
            "trim", "trimLeft", "trimRight", "parityEven7bit", "parityOdd7bit", "parityZero7bit");

    /** The transformation names used by CRS v4, as CRS spells them. */
    private static final List<String> CRS_NAMES = List.of(
            "urlDecodeUni", "lowercase", "jsDecode", "htmlEntityDecode", "utf8toUnicode",
            "removeNulls", "cssDecode", "cmdLine", "removeWhitespace", "replaceComments",
            "normalizePath", "escapeSeqDecode", "compressWhitespace", "normalizePathWin", "length",
            "base64Decode", "base64decode", "sha1", "hexEncode", "removeCommentsChar");

    private static Transformation t(String name) {
        return Transformations.byName(name).orElseThrow(() -> new AssertionError("not registered: " + name));
    }

    private static Arguments v(String name, String input, String expected) {
        return arguments(name, input, expected);
    }

    static Stream<Arguments> vectors() {
        return Stream.of(
                // lowercase / uppercase: ASCII letters only
                v("lowercase", "SeLeCt", "select"),
                v("lowercase", "\u00c0BC", "\u00c0bc"),
                v("lowercase", "", ""),
                v("uppercase", "SeLeCt", "SELECT"),
                v("uppercase", "\u00e0b", "\u00e0B"),
                v("uppercase", "", ""),

                // urlDecode
                v("urlDecode", "a%20b+c%3d", "a b c="),
                v("urlDecode", "%41%42", "AB"),
                v("urlDecode", "%fF%00", "\u00ff\u0000"),
                v("urlDecode", "%zz", "%zz"),
                v("urlDecode", "%4", "%4"),
                v("urlDecode", "100%", "100%"),
                v("urlDecode", "%", "%"),
                v("urlDecode", "%%41", "%A"),
                v("urlDecode", "%2541", "%41"),
                v("urlDecode", "%u0041", "%u0041"),
                v("urlDecode", "", ""),

                // urlDecodeUni
                v("urlDecodeUni", "%u003cscript%3E", "<script>"),
                v("urlDecodeUni", "%uFF1Cscript%uff1e", "<script>"),
                v("urlDecodeUni", "%U0041+%u00e9", "A \u00e9"),
                v("urlDecodeUni", "%u4142", "B"),
                v("urlDecodeUni", "%uff01%uFF5E", "!~"),
                v("urlDecodeUni", "%uff5f", "_"),
                v("urlDecodeUni", "%uff00", "\u0000"),
                v("urlDecodeUni", "%u12", "%u12"),
                v("urlDecodeUni", "%u123", "%u123"),
                v("urlDecodeUni", "%u12zz", "%u12zz"),
                v("urlDecodeUni", "%u", "%u"),
                v("urlDecodeUni", "%u%41", "%uA"),
                v("urlDecodeUni", "%zz%", "%zz%"),
                v("urlDecodeUni", "a%4", "a%4"),
                v("urlDecodeUni", "", ""),

                // htmlEntityDecode
                v("htmlEntityDecode", "&lt;script&#x3e;alert(1)&#60;/script&gt;", "<script>alert(1)</script>"),
                v("htmlEntityDecode", "&quot;&amp;&nbsp;", "\"&\u00a0"),
                v("htmlEntityDecode", "&LT;&Gt;&AMP", "<>&"),
                v("htmlEntityDecode", "&lt", "<"),
                v("htmlEntityDecode", "&#60abc", "<abc"),
                v("htmlEntityDecode", "&#x3c", "<"),
                v("htmlEntityDecode", "&#X3C;x", "<x"),
                v("htmlEntityDecode", "&#0000060;", "<"),
                v("htmlEntityDecode", "&#0;", "\u0000"),
                v("htmlEntityDecode", "&#233;", "\u00e9"),
                v("htmlEntityDecode", "&#1084;", "\u00d0\u00bc"),
                v("htmlEntityDecode", "&#x4142;", "\u00e4\u0085\u0082"),
                v("htmlEntityDecode", "&#x1F600;", "\u00f0\u009f\u0098\u0080"),
                v("htmlEntityDecode", "&#xD800;", "\u00ef\u00bf\u00bd"),
                v("htmlEntityDecode", "&#99999999999999999999;", "\u00ef\u00bf\u00bd"),
                v("htmlEntityDecode", "&ltx;", "&ltx;"),
                v("htmlEntityDecode", "&copy;", "&copy;"),
                v("htmlEntityDecode", "&&lt;", "&<"),
                v("htmlEntityDecode", "a & b", "a & b"),
                v("htmlEntityDecode", "&", "&"),
                v("htmlEntityDecode", "&#", "&#"),
                v("htmlEntityDecode", "&#x", "&#x"),
                v("htmlEntityDecode", "&#;", "&#;"),
                v("htmlEntityDecode", "&#xg;", "&#xg;"),
                v("htmlEntityDecode", "", ""),

                // jsDecode
                v("jsDecode", "\\x3cscript\\076", "<script>"),
                v("jsDecode", "\\u003c\\uff1c\\u4142", "<<B"),
                v("jsDecode", "\\a\\b\\f\\n\\r\\t\\v", "\u0007\b\f\n\r\t\u000b"),
                v("jsDecode", "\\\\\\'\\\"\\/\\z", "\\'\"/z"),
                v("jsDecode", "\\0", "\u0000"),
                v("jsDecode", "\\101\\74", "A<"),
                v("jsDecode", "\\477", "'7"),
                v("jsDecode", "\\08", "\u00008"),
                v("jsDecode", "\\u12", "u12"),
                v("jsDecode", "\\U0041", "U0041"),
                v("jsDecode", "\\xZ1", "xZ1"),
                v("jsDecode", "\\x4", "x4"),
                v("jsDecode", "abc\\", "abc\\"),
                v("jsDecode", "", ""),

                // cssDecode
                v("cssDecode", "ja\\vascript:\\65 xpression(", "javascript:expression("),
                v("cssDecode", "\\3c\\00003c", "<<"),
                v("cssDecode", "\\123", "#"),
                v("cssDecode", "\\ff1c\\0FF1C\\00ff1c", "<<<"),
                v("cssDecode", "\\1ff1c", "\u001c"),
                v("cssDecode", "\\0000410", "A0"),
                v("cssDecode", "\\3c\tx", "<x"),
                v("cssDecode", "\\3c  x", "< x"),
                v("cssDecode", "a\\\nb", "ab"),
                v("cssDecode", "\\'\\g", "'g"),
                v("cssDecode", "abc\\", "abc"),
                v("cssDecode", "\\", ""),
                v("cssDecode", "", ""),

                // cmdLine
                v("cmdLine", "C^ommand /c \"DiR\" ,;  c:\\", "command/c dir c:"),
                v("cmdLine", "a ^ b", "a b"),
                v("cmdLine", "echo  (x)", "echo(x)"),
                v("cmdLine", "a\tb\nc\rd;e,f", "a b c d e f"),
                v("cmdLine", "  lead", " lead"),
                v("cmdLine", "trail ;", "trail "),
                v("cmdLine", "w'h'o\\am^i", "whoami"),
                v("cmdLine", "", ""),

                // compressWhitespace
                v("compressWhitespace", "union \t\n  select", "union select"),
                v("compressWhitespace", "a\u00a0b\u000bc\fd", "a b c d"),
                v("compressWhitespace", "  a  ", " a "),
                v("compressWhitespace", "a\tb", "a b"),
                v("compressWhitespace", "", ""),

                // removeWhitespace
                v("removeWhitespace", "un ion\tsel\nect", "unionselect"),
                v("removeWhitespace", "\u00a0a\u000b\fb\r", "ab"),
                v("removeWhitespace", " \t", ""),
                v("removeWhitespace", "", ""),

                // removeNulls / replaceNulls
                v("removeNulls", "sel\u0000ect", "select"),
                v("removeNulls", "\u0000\u0000", ""),
                v("removeNulls", "", ""),
                v("replaceNulls", "a\u0000b", "a b"),
                v("replaceNulls", "\u0000", " "),
                v("replaceNulls", "", ""),

                // replaceComments
                v("replaceComments", "UNION/**/SELECT", "UNION SELECT"),
                v("replaceComments", "/*a*/b/*c*/", " b "),
                v("replaceComments", "a/*x/*y*/z", "a z"),
                v("replaceComments", "a/*b", "a "),
                v("replaceComments", "/*", " "),
                v("replaceComments", "", ""),

                // removeComments
                v("removeComments", "UNI/**/ON SEL<!-- x -->ECT", "UNION SELECT"),
                v("removeComments", "1 OR 1=1-- rest", "1 OR 1=1"),
                v("removeComments", "a#b\nc", "a"),
                v("removeComments", "a/*b", "a "),
                v("removeComments", "<!--x", " "),
                v("removeComments", "a/*x-->b", "ab"),
                v("removeComments", "", ""),

                // removeCommentsChar
                v("removeCommentsChar", "UNI/**/ON SEL<!--E-->CT#", "UNION SELECT"),
                v("removeCommentsChar", "1--", "1"),
                v("removeCommentsChar", "-#-", "--"),
                v("removeCommentsChar", "/*/", "/"),
                v("removeCommentsChar", "", ""),

                // normalizePath (vectors of the ModSecurity test suite)
                v("normalizePath", "/a/./b/../../etc//passwd", "/etc/passwd"),
                v("normalizePath", ".", ""),
                v("normalizePath", "./", ""),
                v("normalizePath", "./..", ".."),
                v("normalizePath", "./../", "../"),
                v("normalizePath", "../.", ".."),
                v("normalizePath", ".././", "../"),
                v("normalizePath", "/dir/foo//bar", "/dir/foo/bar"),
                v("normalizePath", "dir/foo//bar/", "dir/foo/bar/"),
                v("normalizePath", "dir/../foo", "foo"),
                v("normalizePath", "dir/../../foo", "../foo"),
                v("normalizePath", "dir/./.././../../foo/bar", "../../foo/bar"),
                v("normalizePath", "dir/./.././../../foo/bar/.", "../../foo/bar"),
                v("normalizePath", "dir/./.././../../foo/bar/./", "../../foo/bar/"),
                v("normalizePath", "dir/./.././../../foo/bar/..", "../../foo"),
                v("normalizePath", "dir/./.././../../foo/bar/../", "../../foo/"),
                v("normalizePath", "dir//.//..//.//..//..//foo//bar", "../../foo/bar"),
                v("normalizePath", "dir//.//..//.//..//..//foo//bar//", "../../foo/bar/"),
                v("normalizePath", "dir/subdir/subsubdir/subsubsubdir/../../..", "dir"),
                v("normalizePath", "dir/./subdir/../subsubdir/../subsubsubdir/..", "dir"),
                v("normalizePath", "/dir/./subdir/../subsubdir/../subsubsubdir/../", "/dir/"),
                v("normalizePath", "/./.././../../../../../../../\u0000/../etc/./passwd", "/etc/passwd"),
                v("normalizePath", "/../../etc", "/etc"),
                v("normalizePath", "/..", "/"),
                v("normalizePath", "/a/..", "/"),
                v("normalizePath", "/.", "/"),
                v("normalizePath", "/a/b/..", "/a"),
                v("normalizePath", "a/..", ""),
                v("normalizePath", "//", "/"),
                v("normalizePath", "/a/b../c", "/a/c"),
                v("normalizePath", "a\\..\\b", "a\\..\\b"),
                v("normalizePath", "", ""),
                v("normalisePath", "/a/../b", "/b"),

                // normalizePathWin
                v("normalizePathWin", "\\foo\\bar\\baz", "/foo/bar/baz"),
                v("normalizePathWin", "C:\\inetpub\\..\\windows\\.\\win.ini", "C:/windows/win.ini"),
                v("normalizePathWin", "a\\b", "a/b"),
                v("normalizePathWin", "\\a/..\\b", "/b"),
                v("normalizePathWin", ".\\", ""),
                v("normalizePathWin", "..\\", "../"),
                v("normalizePathWin", "dir\\\\.\\\\..\\\\.\\\\..\\\\..\\\\foo\\\\bar\\\\", "../../foo/bar/"),
                v("normalizePathWin", "", ""),
                v("normalisePathWin", "a\\.\\b", "a/b"),

                // base64Decode
                v("base64Decode", "PHNjcmlwdD4=", "<script>"),
                v("base64Decode", "YWJj", "abc"),
                v("base64Decode", "YWI", "ab"),
                v("base64Decode", "YQ==", "a"),
                v("base64Decode", "YQ==YWJj", "a"),
                v("base64Decode", "YWJj!ZGVm", "abc"),
                v("base64Decode", "YWJj ZGVm", "abc"),
                v("base64Decode", "YWJj\r\nZGVm", "abcdef"),
                v("base64Decode", "/w==AA==", "\u00ff"),
                v("base64Decode", "Y", ""),
                v("base64Decode", "-_", ""),
                v("base64Decode", "", ""),
                v("base64decode", "YWJj", "abc"),

                // base64DecodeExt
                v("base64DecodeExt", "P.HNj cmlw\ndD4", "<script>"),
                v("base64DecodeExt", "YW=Jj", "abc"),
                v("base64DecodeExt", "-_-_", "\u00fb\u00ff\u00bf"),
                v("base64DecodeExt", "+/+/", "\u00fb\u00ff\u00bf"),
                v("base64DecodeExt", "!!!", ""),
                v("base64DecodeExt", "", ""),

                // base64Encode
                v("base64Encode", "<script>", "PHNjcmlwdD4="),
                v("base64Encode", "a", "YQ=="),
                v("base64Encode", "\u00ff", "/w=="),
                v("base64Encode", "", ""),

                // hexDecode
                v("hexDecode", "3c7363726970743e", "<script>"),
                v("hexDecode", "546573740043617365", "Test\u0000Case"),
                v("hexDecode", "01234567890az", "\u0001#Eg\u0089\n"),
                v("hexDecode", "FFfe", "\u00ff\u00fe"),
                v("hexDecode", "414", "A"),
                v("hexDecode", "4142zz43", "AB"),
                v("hexDecode", "z", ""),
                v("hexDecode", "", ""),

                // hexEncode
                v("hexEncode", "<a>", "3c613e"),
                v("hexEncode", "\u0000\u00ff", "00ff"),
                v("hexEncode", "", ""),

                // sqlHexDecode
                v("sqlHexDecode", "SELECT 0x61646d696e", "SELECT admin"),
                v("sqlHexDecode", "0X4142 0x43", "AB C"),
                v("sqlHexDecode", "0x414", "A4"),
                v("sqlHexDecode", "a0x41", "aA"),
                v("sqlHexDecode", "00x41", "0A"),
                v("sqlHexDecode", "0x", "0x"),
                v("sqlHexDecode", "0x4", "0x4"),
                v("sqlHexDecode", "0xzz", "0xzz"),
                v("sqlHexDecode", "", ""),

                // escapeSeqDecode
                v("escapeSeqDecode", "\\x3cscript\\076\\n", "<script>\n"),
                v("escapeSeqDecode", "\\a\\b\\f\\n\\r\\t\\v\\\\\\?\\'\\\"", "\u0007\b\f\n\r\t\u000b\\?'\""),
                v("escapeSeqDecode", "\\X41\\101", "AA"),
                v("escapeSeqDecode", "\\1018", "A8"),
                v("escapeSeqDecode", "\\777", "\u00ff"),
                v("escapeSeqDecode", "\\0", "\u0000"),
                v("escapeSeqDecode", "\\z", "z"),
                v("escapeSeqDecode", "\\x4", "x4"),
                v("escapeSeqDecode", "\\u0041", "u0041"),
                v("escapeSeqDecode", "abc\\", "abc\\"),
                v("escapeSeqDecode", "", ""),

                // utf8toUnicode
                v("utf8toUnicode", "\u00c3\u00a9<\u00ef\u00bc\u009c", "%u00e9<%uff1c"),
                v("utf8toUnicode", "\u00f0\u009f\u0098\u0080", "%u1f600"),
                v("utf8toUnicode", "\u00f4\u008f\u00bf\u00bf", "%u10ffff"),
                v("utf8toUnicode", "\u00c0\u00af", "%u002f"),
                v("utf8toUnicode", "\u00ed\u00a0\u0080", "%ud800"),
                v("utf8toUnicode", "\u00d0\u00b8\u0000", "%u0438\u0000"),
                v("utf8toUnicode", "a\u00c3\u00a9b\u00c3", "a%u00e9b\u00c3"),
                v("utf8toUnicode", "\u00a9x\u00ffy\u00c3A", "\u00a9x\u00ffy\u00c3A"),
                v("utf8toUnicode", "", ""),

                // length
                v("length", "hello", "5"),
                v("length", "\u0000\u00ff", "2"),
                v("length", "", "0"),

                // trim, trimLeft, trimRight
                v("trim", " \t admin \n", "admin"),
                v("trim", "\u000b\fx y\r", "x y"),
                v("trim", "   ", ""),
                v("trim", "\u00a0x\u0000", "\u00a0x\u0000"),
                v("trim", "", ""),
                v("trimLeft", "  admin ", "admin "),
                v("trimLeft", "", ""),
                v("trimRight", "  admin ", "  admin"),
                v("trimRight", "", ""),

                // parity
                v("parityEven7bit", "ABC", "AB\u00c3"),
                v("parityEven7bit", "\u00c1\u00c3", "A\u00c3"),
                v("parityEven7bit", "", ""),
                v("parityOdd7bit", "ABC", "\u00c1\u00c2C"),
                v("parityOdd7bit", "\u00c1C", "\u00c1C"),
                v("parityOdd7bit", "", ""),
                v("parityZero7bit", "\u00c1B\u00c3", "ABC"),
                v("parityZero7bit", "", ""));
    }

    @ParameterizedTest(name = "[{index}] t:{0}")
    @MethodSource("vectors")
    void transformsAsSpecified(String name, String input, String expected) {
        assertThat(t(name).apply(input)).isEqualTo(expected);
    }

    static Stream<Arguments> digests() {
        return Stream.of(
                arguments("md5", "abc", "900150983cd24fb0d6963f7d28e17f72"),
                arguments("md5", "", "d41d8cd98f00b204e9800998ecf8427e"),
                arguments("md5", "\u00ff", "00594fd4f42ba43fc1ca0427a0576295"),
                arguments("sha1", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
                arguments("sha1", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
                arguments("sha1", "\u00ff\u0000", "da33e41954997c24ad31f6c1845e18510b384f67"));
    }

    @ParameterizedTest(name = "[{index}] t:{0}")
    @MethodSource("digests")
    void digestsAreRawBytes(String name, String input, String expectedHex) {
        String digest = t(name).apply(input);
        assertThat(digest).hasSize(expectedHex.length() / 2);
        assertThat(t("hexEncode").apply(digest)).isEqualTo(expectedHex);
    }

    /** An input each transformation leaves as it is. */
    static Stream<Arguments> unchanged() {
        return Stream.of(
                arguments("lowercase", "select * from t"),
                arguments("uppercase", "SELECT * FROM T"),
                arguments("urlDecode", "plain%zz%4"),
                arguments("urlDecodeUni", "%u12zz100%"),
                arguments("htmlEntityDecode", "a & b &copy; &#;"),
                arguments("jsDecode", "alert(1)"),
                arguments("cssDecode", "color: red"),
                arguments("cmdLine", "ls -la tmp"),
                arguments("compressWhitespace", "a b c"),
                arguments("removeWhitespace", "abc"),
                arguments("removeNulls", "abc"),
                arguments("replaceNulls", "abc"),
                arguments("replaceComments", "a */ b -- c # d"),
                arguments("removeComments", "a */ b - c"),
                arguments("removeCommentsChar", "a - b / c * d"),
                arguments("normalizePath", "/a/b/c.txt"),
                arguments("normalizePath", "a."),
                arguments("normalisePath", "../../a"),
                arguments("normalizePathWin", "/a/b/c.txt"),
                arguments("normalisePathWin", "../a"),
                arguments("hexDecode", ""),
                arguments("sqlHexDecode", "0x 0xg 0x1"),
                arguments("escapeSeqDecode", "no escapes\\"),
                arguments("utf8toUnicode", "ascii only"),
                arguments("utf8toUnicode", "\u00ff\u00c3"),
                arguments("length", "1"),
                arguments("trim", "a b"),
                arguments("trimLeft", "a "),
                arguments("trimRight", " a"),
                arguments("parityEven7bit", "AB"),
                arguments("parityOdd7bit", "C"),
                arguments("parityZero7bit", "ABC"),
                arguments("base64Encode", ""),
                arguments("base64Decode", ""),
                arguments("base64DecodeExt", ""),
                arguments("hexEncode", ""));
    }

    @ParameterizedTest(name = "[{index}] t:{0}")
    @MethodSource("unchanged")
    void returnsTheSameInstanceWhenNothingChanges(String name, String input) {
        // A fresh instance, so that identity is not a coincidence of the constant pool.
        String s = new String(input.toCharArray());
        assertThat(t(name).apply(s)).isSameAs(s);
    }

    @Test
    void emptyInputIsReturnedAsItIsExceptByTheTransformationsThatAlwaysProduceAValue() {
        List<String> produceAValue = List.of("length", "md5", "sha1");
        String empty = new String(new char[0]);
        for (String name : Transformations.names()) {
            String out = t(name).apply(empty);
            if (produceAValue.contains(name)) {
                assertThat(out).as(name).isNotEmpty();
            } else {
                assertThat(out).as(name).isSameAs(empty);
            }
        }
    }

    /**
     * Random byte strings, weighted towards the bytes the decoders react to: no transformation may
     * throw, every result must be a byte string, and an equal result must be the input itself.
     */
    @Test
    void randomInputKeepsTheContract() {
        String alphabet = "%uUxX+&#;\\/*-<!>.0123456789abcdefABCDEFltgampquotnbs \t\n\r\u0000\u00a0\u00c3\u00a9\u00ff\u0080'\"^,(=_";
        SplittableRandom random = new SplittableRandom(20240611L);
        List<String> inputs = new ArrayList<>();
        for (int k = 0; k < 3000; k++) {
            int length = random.nextInt(12);
            char[] chars = new char[length];
            for (int j = 0; j < length; j++) {
                chars[j] = random.nextInt(4) == 0
                        ? (char) random.nextInt(256)
                        : alphabet.charAt(random.nextInt(alphabet.length()));
            }
            inputs.add(new String(chars));
        }
        for (String name : Transformations.names()) {
            Transformation tr = t(name);
            for (String input : inputs) {
                String out = tr.apply(input);
                assertThat(out).as("t:%s on %s", name, escape(input)).isNotNull();
                for (int j = 0; j < out.length(); j++) {
                    assertThat((int) out.charAt(j)).as("t:%s on %s", name, escape(input)).isLessThan(256);
                }
                if (out.equals(input)) {
                    assertThat(out).as("t:%s on %s", name, escape(input)).isSameAs(input);
                }
            }
        }
    }

    @Test
    void registersEveryTransformationOnce() {
        assertThat(Transformations.names()).containsExactlyInAnyOrderElementsOf(ALL_NAMES);
    }

    @Test
    void everyRegisteredNameResolvesCaseInsensitively() {
        for (String name : Transformations.names()) {
            Transformation tr = t(name);
            assertThat(Transformations.byName(name.toLowerCase(Locale.ROOT))).containsSame(tr);
            assertThat(Transformations.byName(name.toUpperCase(Locale.ROOT))).containsSame(tr);
            assertThat(tr.name()).as(name).isEqualToIgnoringCase(
                    name.replace("normalise", "normalize"));
        }
    }

    @Test
    void crsNamesAllResolve() {
        for (String name : CRS_NAMES) {
            assertThat(Transformations.byName(name)).as(name).isPresent();
        }
    }

    @Test
    void aliasesResolveToTheMainTransformation() {
        assertThat(t("normalisePath")).isSameAs(t("normalizePath"));
        assertThat(t("normalisePathWin")).isSameAs(t("normalizePathWin"));
        assertThat(t("base64decode")).isSameAs(t("base64Decode"));
    }

    @Test
    void noneAndUnknownNamesAreNotTransformations() {
        assertThat(Transformations.byName("none")).isEmpty();
        assertThat(Transformations.byName("urlDecodeUnii")).isEmpty();
        assertThat(Transformations.byName("")).isEmpty();
        assertThatThrownBy(() -> Transformations.byName(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void namesCannotBeModified() {
        assertThatThrownBy(() -> Transformations.names().add("evil"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void eachTransformationIsAFinalClassNamedAfterItsSecLangName() {
        for (String name : Transformations.names()) {
            Class<?> type = t(name).getClass();
            assertThat(Modifier.isFinal(type.getModifiers())).as(name).isTrue();
            assertThat(type.getSimpleName()).as(name).isEqualToIgnoringCase(t(name).name());
            assertThat(Character.isUpperCase(type.getSimpleName().charAt(0))).as(name).isTrue();
        }
        assertThat(t("utf8toUnicode").getClass().getSimpleName()).isEqualTo("Utf8ToUnicode");
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c >= 0x20 && c < 0x7F) {
                b.append(c);
            } else {
                b.append(String.format("\\x%02x", (int) c));
            }
        }
        return b.append('"').toString();
    }
}
