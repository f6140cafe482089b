package io.tiyi.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the node and cluster extensions share: on a static field their resource lives for the
 * class, on an instance field for each test.
 */
abstract class Lifecycle implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private boolean perClass;

    abstract void start();

    abstract void stop();

    @Override
    public void beforeAll(ExtensionContext context) {
        // beforeAll is only called for extensions held in static fields
        perClass = true;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }
}
