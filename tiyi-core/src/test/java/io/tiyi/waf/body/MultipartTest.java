package io.tiyi.waf.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.waf.variables.TxVariables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MultipartTest {
    private static final String BODY = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n--b--\r\n";

    private static TxVariables parse(String contentType, String body, String[] error) {
        TxVariables v = new TxVariables();
        error[0] = Multipart.parse(contentType, body, v, new ArgumentLimit(1000), 1 << 20);
        return v;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "multipart/form-data; boundary=b|b|0",
            "multipart/form-data;boundary=b|b|0",
            "multipart/form-data; boundary=\"b\"|b|1",
            "multipart/form-data; charset=utf-8; boundary=\"b\"|b|1",
            "multipart/form-data; BOUNDARY=b; other=\"x;boundary=zz\"|b|0",
            "Multipart/Form-Data; boundary=\"a:b c?\"|a:b c?|1"})
    void validBoundaries(String contentType, String boundary, String quoted) {
        TxVariables v = new TxVariables();
        Multipart.Boundary b = Multipart.boundary(contentType, v);
        assertThat(b.value()).isEqualTo(boundary);
        assertThat(b.error()).isNull();
        assertThat(v.get("MULTIPART_BOUNDARY_QUOTED")).isEqualTo("1".equals(quoted) ? "1" : null);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "multipart/form-data; boundary=a; boundary=b|2 boundary parameters",
            "multipart/form-data; boundary=b; BOUNDARY=\"b\"|2 boundary parameters",
            "multipart/form-data|no boundary",
            "multipart/form-data; xboundary=b|no boundary",
            "multipart/form-data; boundary=|empty boundary",
            "multipart/form-data; boundary=\"\"|empty boundary",
            "multipart/form-data; boundary=b{|invalid character 0x7b",
            "multipart/form-data; boundary=\"b\"x|invalid quoting",
            "multipart/form-data; boundary=\"b|invalid quoting",
            "multipart/form-data; boundary=\"b \"|ends with a space",
            "multipart/form-data; boundary=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|71 characters"})
    void boundaryErrorsAreStrictAndBodyErrors(String contentType, String why) {
        String[] error = new String[1];
        TxVariables v = parse(contentType, BODY, error);
        assertThat(error[0]).startsWith("multipart: ").contains(why);
        assertThat(v.get("MULTIPART_STRICT_ERROR")).isEqualTo("1");
    }

    @Test
    void theLastOfTwoBoundariesIsStillInspected() {
        String[] error = new String[1];
        TxVariables v = parse("multipart/form-data; boundary=x; boundary=b", BODY, error);
        assertThat(error[0]).contains("2 boundary parameters");
        assertThat(v.collection("ARGS_POST").first("a")).isEqualTo("hello");
    }

    @Test
    void aValidBodyHasNoStrictError() {
        String[] error = new String[1];
        TxVariables v = parse("multipart/form-data; boundary=\"b\"", BODY, error);
        assertThat(error[0]).isNull();
        assertThat(v.get("MULTIPART_STRICT_ERROR")).isEqualTo("0");
        assertThat(v.get("MULTIPART_BOUNDARY_QUOTED")).isEqualTo("1");
        assertThat(v.collection("ARGS_POST").first("a")).isEqualTo("hello");
    }

    @Test
    void aMissingFinalBoundaryIsAnErrorAndTheLastPartIsStillRead() {
        String[] error = new String[1];
        TxVariables v = parse("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nevil", error);
        assertThat(error[0]).isEqualTo("multipart: final boundary missing");
        assertThat(v.get("MULTIPART_UNMATCHED_BOUNDARY")).isEqualTo("1");
        assertThat(v.collection("ARGS_POST").first("a")).isEqualTo("evil");
        assertThat(parse("multipart/form-data; boundary=b", BODY.strip(), error).get("MULTIPART_STRICT_ERROR")).isEqualTo("0");
        assertThat(error[0]).as("closing delimiter without CRLF").isNull();
    }

    @Test
    void fieldsStopAtTheArgumentLimit() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            body.append("--b\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nx\r\n");
        }
        body.append("--b--\r\n");
        TxVariables v = new TxVariables();
        String error = Multipart.parse("multipart/form-data; boundary=b", body.toString(), v, new ArgumentLimit(100), 1 << 20);
        assertThat(error).contains("more than 100 arguments");
        assertThat(v.collection("ARGS_POST").size()).isEqualTo(100);
    }

    @Test
    void aBoundaryLineFollowedAtOnceByAnotherIsAnEmptyInvalidPart() {
        // Was a StringIndexOutOfBoundsException: the next delimiter was found at the end of the boundary line itself.
        TxVariables v = new TxVariables();
        assertThat(Multipart.parse("multipart/form-data; boundary=b", "--b\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n", v,
                new ArgumentLimit(1000), 1 << 20))
                .isNull();
        assertThat(v.get("MULTIPART_INVALID_PART")).isEqualTo("1");
        assertThat(v.get("MULTIPART_STRICT_ERROR")).isEqualTo("1");
        assertThat(v.collection("ARGS_POST").first("a")).isEqualTo("1");
        assertThat(Multipart.parse("multipart/form-data; boundary=b", "--b\r\n--b--\r\n", new TxVariables(), new ArgumentLimit(1000), 1 << 20))
                .isNull();
    }
}
