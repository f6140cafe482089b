package io.tiyi.waf.engine;

import io.tiyi.waf.seclang.SecLangException;
import java.util.Locale;

/** {@code SecRuleEngine}: whether rules run, and whether they may interrupt. */
public enum EngineMode {
    ON,
    OFF,
    DETECTION_ONLY;

    static EngineMode parse(String v, String where) {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "on":
                return ON;
            case "off":
                return OFF;
            case "detectiononly":
                return DETECTION_ONLY;
            default:
                throw new SecLangException(where, "expected On, Off or DetectionOnly, got '" + v + "'");
        }
    }
}
