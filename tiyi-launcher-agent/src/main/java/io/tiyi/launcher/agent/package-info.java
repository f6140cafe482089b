/**
 * The daemon launcher for {@code tiyi agent}: turns command-line arguments into a
 * {@link io.tiyi.config.TiyiConfig} and runs an agent node until a signal or an upgrade asks it to
 * exit. It holds no logic that an embedder would need; that lives in {@code tiyi-core}.
 */
package io.tiyi.launcher.agent;
