package io.tiyi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.tiyi.internal.LogMarkers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the node {@code tiyi waf conformance} starts may log while it runs. */
class ConformanceLogTest {
    @Test
    void setupWarningsAreDroppedAndTheRestIsOneLineEachWithoutStackTraces() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of(), new GlobalOptions(), false);
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<Object> before = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(before::add);
        try (Progress p = Progress.start(ctx, "waf conformance"); WafCommands.NodeLog log = WafCommands.NodeLog.install(ctx, p)) {
            // The node marks its setup lines; which class logs them does not matter.
            LoggerFactory.getLogger("io.tiyi.ControlPlane").warn(LogMarkers.SETUP,
                    "bootstrap admin created: user '{}' password '{}' (shown once)", "admin", "s3cret");
            LoggerFactory.getLogger("io.tiyi.ControlPlane").warn(LogMarkers.SETUP, "auth.jwt_secret is not set: using an ephemeral secret");
            LoggerFactory.getLogger("io.tiyi.crypto.Kek").warn(LogMarkers.SETUP, "KEK falls back to /tmp/x/kek.bin");
            LoggerFactory.getLogger("io.tiyi.TiyiNode").info("tiyi primary ready");
            LoggerFactory.getLogger("io.undertow.request").error("UT005071: Undertow request failed HttpServerExchange{ POST /post}",
                    new IllegalArgumentException("UT000173: An invalid control character [226] was present in the cookie value"));
            LoggerFactory.getLogger("io.tiyi.events.EventLog").error("event log: cannot write to {}: {}; events are being dropped", "/tmp/x/logs",
                    new IOException("No space left on device").toString(), new IllegalStateException("wrapped", new IOException("No space left on device")));
            LoggerFactory.getLogger("io.tiyi.waf.Transaction").warn("WAF event listener {} failed\nwith a second line", "x");
        }
        List<Object> after = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(after::add);
        assertThat(after).as("the process's own appenders are back").isEqualTo(before);

        assertThat(out.size()).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "ERROR temporary node: UT005071: Undertow request failed HttpServerExchange{ POST /post}: UT000173: An invalid control character"
                        + " [226] was present in the cookie value",
                "ERROR temporary node: event log: cannot write to /tmp/x/logs: No space left on device; events are being dropped: wrapped",
                "WARNING temporary node: WAF event listener x failed with a second line");
    }
}
