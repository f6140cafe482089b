package io.tiyi.waf.engine;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.seclang.SecLangException;
import org.junit.jupiter.api.Test;

class PhaseActionTest {
    @Test
    void aPhaseWithoutAValueIsARuleError() {
        // Was a NullPointerException: the phase is read before the actions are checked for their values.
        assertThatThrownBy(() -> TiyiWaf.builder().seclang("SecRule ARGS \"@rx a\" \"id:1,phase\"").build())
                .isInstanceOf(SecLangException.class).hasMessageContaining("<inline>:1").hasMessageContaining("phase needs a value");
        assertThatThrownBy(() -> TiyiWaf.builder().seclang("SecDefaultAction \"phase,deny\"").build())
                .isInstanceOf(SecLangException.class).hasMessageContaining("phase needs a value");
    }
}
