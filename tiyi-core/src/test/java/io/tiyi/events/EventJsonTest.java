package io.tiyi.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.internal.Json;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written lines of access and error events are the text the JSON mapper writes for them. */
class EventJsonTest {
    /** Characters that need escaping, and some that must not be escaped. */
    private static final String TRICKY = "a\"\\/\n\r\t\b\f\u0000\u0001\u001f\u007f \u00e9\u2028\u20ac\ud83d\ude00\ud800<>&'";

    private static String line(Event e) {
        StringBuilder b = new StringBuilder();
        assertThat(EventJson.append(e, b)).isTrue();
        return b.toString();
    }

    @Test
    void anAccessEventIsWhatTheMapperWrites() {
        AccessEvent e = new AccessEvent(1_765_000_000_123L, "abc", "10.0.0.1", "10.0.0.2", "GET", "a.example", "/x?y=1", 200, 12_345, "site",
                "http://127.0.0.1:8080", 3, 4);
        assertThat(line(e)).isEqualTo(Json.write(e));
    }

    @Test
    void anErrorEventIsWhatTheMapperWrites() {
        ErrorEvent e = new ErrorEvent(1L, "id", "::1", "", "POST", "h", "/p", 502, "no upstream answered: connection refused");
        assertThat(line(e)).isEqualTo(Json.write(e));
    }

    @Test
    void nullsAndNegativesAreWhatTheMapperWrites() {
        AccessEvent a = new AccessEvent(-1, null, null, null, null, null, null, -1, Long.MIN_VALUE, null, null, -1, Long.MAX_VALUE);
        ErrorEvent r = new ErrorEvent(0, null, null, null, null, null, null, 0, null);
        assertThat(line(a)).isEqualTo(Json.write(a));
        assertThat(line(r)).isEqualTo(Json.write(r));
    }

    @Test
    void everyCharacterIsEscapedAsTheMapperEscapesIt() {
        Random random = new Random(24);
        for (int n = 0; n < 20_000; n++) {
            String[] s = new String[8];
            for (int i = 0; i < s.length; i++) {
                StringBuilder b = new StringBuilder();
                int len = random.nextInt(10);
                for (int k = 0; k < len; k++) {
                    b.append(random.nextInt(3) == 0 ? (char) random.nextInt(0x10000) : TRICKY.charAt(random.nextInt(TRICKY.length())));
                }
                s[i] = b.toString();
            }
            AccessEvent a = new AccessEvent(random.nextLong(), s[0], s[1], s[2], s[3], s[4], s[5], random.nextInt(600), random.nextLong(), s[6],
                    s[7], random.nextLong(), random.nextLong());
            ErrorEvent r = new ErrorEvent(random.nextLong(), s[7], s[6], s[5], s[4], s[3], s[2], random.nextInt(600), s[1]);
            assertThat(line(a)).isEqualTo(Json.write(a));
            assertThat(line(r)).isEqualTo(Json.write(r));
        }
    }

    @Test
    void otherEventsAreLeftToTheMapper() {
        StringBuilder b = new StringBuilder();
        assertThat(EventJson.append(new TrafficEvent(1, "s", 2, "a"), b)).isFalse();
        assertThat(b).isEmpty();
    }
}
