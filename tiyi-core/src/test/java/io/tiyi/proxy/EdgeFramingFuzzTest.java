package io.tiyi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tiyi.testsupport.Fuzzing;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the edge's reading of HTTP/1.x request heads ({@link RequestHead}) and chunked bodies
 * ({@link ChunkedFramer}), the first code every client byte meets.
 *
 * <p>Contract: {@code end}, {@code early} and {@code parse} accept any bytes and never throw; a
 * head is either accepted, with a framing and a non-negative length, or refused with one of the
 * statuses the edge answers (400, 405, 414, 431, 501, 505) and a reason. An accepted head has no
 * control byte in its target. The chunked framer consumes at most what it is given and fails only
 * with an {@link IOException} that names the problem; fed the same bytes one at a time, it
 * reaches the same end. Anything else, or an input slower than the timeout, is a bug.
 *
 * <p>Input: a request head followed by a body, as raw bytes; the body is framed as chunked.
 */
class EdgeFramingFuzzTest {
    private static final RequestHead.Limits LIMITS = new RequestHead.Limits(256, 20, 256, 1024);
    private static final Set<Integer> REFUSALS = Set.of(400, 405, 414, 431, 501, 505);

    @FuzzTest(maxDuration = "30s")
    @Timeout(value = Fuzzing.TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
    @DictionaryEntries({"GET / HTTP/1.1", "POST ", " HTTP/1.0", "Host: a", "Content-Length: ", "Transfer-Encoding: chunked",
            "Transfer-Encoding: ", "Connection: upgrade", "Upgrade: h2c", "X-Tiyi-Edge: ", ": ", " :", ";ext=1", "http://a/",
            "OPTIONS * ", "CONNECT "})
    void frame(byte[] input) {
        RequestHead.Result early = RequestHead.early(input, 0, input.length, LIMITS);
        if (early != null) {
            assertThat(REFUSALS).contains(early.status());
        }
        int end = RequestHead.end(input, 0, input.length);
        if (end < 0) {
            return;
        }
        assertThat(end).isBetween(1, input.length);
        RequestHead.Result r = RequestHead.parse(input, 0, end, LIMITS);
        if (!r.accepted()) {
            assertThat(REFUSALS).contains(r.status());
            assertThat(r.reason()).isNotBlank();
            return;
        }
        assertThat(r.length()).isNotNegative();
        for (int i = 0; i < r.target().length(); i++) {
            assertThat(RequestHead.ctl(r.target().charAt(i))).as("control byte in an accepted target").isFalse();
        }
        int whole = chunked(input, end, input.length, false);
        int bytewise = chunked(input, end, input.length, true);
        assertThat(bytewise).isEqualTo(whole);
    }

    /** Bytes of a chunked body at {@code from}: its length when it ends, -1 when it does not, -2 on a framing error. */
    private static int chunked(byte[] b, int from, int to, boolean oneByOne) {
        ChunkedFramer f = new ChunkedFramer();
        int n = 0;
        try {
            if (oneByOne) {
                for (int i = from; i < to && !f.done(); i++) {
                    n += f.advance(b, i, i + 1);
                }
            } else {
                n = f.advance(b, from, to);
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).startsWith("malformed chunked request body: ");
            return -2;
        }
        assertThat(n).isBetween(0, to - from);
        return f.done() ? n : -1;
    }
}
