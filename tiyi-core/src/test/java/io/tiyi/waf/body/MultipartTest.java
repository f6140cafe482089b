package io.tiyi.waf.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.waf.variables.TxVariables;
import org.junit.jupiter.api.Test;

class MultipartTest {
    @Test
    void aBoundaryLineFollowedAtOnceByAnotherIsAnEmptyInvalidPart() {
        // Was a StringIndexOutOfBoundsException: the next delimiter was found at the end of the boundary line itself.
        TxVariables v = new TxVariables();
        assertThat(Multipart.parse("multipart/form-data; boundary=b", "--b\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n", v))
                .isNull();
        assertThat(v.get("MULTIPART_INVALID_PART")).isEqualTo("1");
        assertThat(v.get("MULTIPART_STRICT_ERROR")).isEqualTo("1");
        assertThat(v.collection("ARGS_POST").first("a")).isEqualTo("1");
        assertThat(Multipart.parse("multipart/form-data; boundary=b", "--b\r\n--b--\r\n", new TxVariables())).isNull();
    }
}
