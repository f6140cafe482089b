package io.tiyi.testsupport;

import io.tiyi.config.HostPort;
import io.tiyi.config.TiyiConfig;
import java.nio.file.Path;

/** Node configurations for tests: every listener on a free loopback port. */
public final class TestNodes {
    private TestNodes() {}

    public static TiyiConfig config(Path stateDir) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return TiyiConfig.defaults().withServerAddr(any).withStateDir(stateDir).withHttpAddr(any).withHttpsAddr(any);
    }
}
