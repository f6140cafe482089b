package io.tiyi.metrics;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jvm.BufferPoolMetricSet;
import com.codahale.metrics.jvm.ClassLoadingGaugeSet;
import com.codahale.metrics.jvm.GarbageCollectorMetricSet;
import com.codahale.metrics.jvm.MemoryUsageGaugeSet;
import com.codahale.metrics.jvm.ThreadStatesGaugeSet;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;

/**
 * A node's metrics: one Dropwizard {@link MetricRegistry} that every component records into,
 * exposed in the Prometheus text format through the Prometheus client's Dropwizard bridge.
 */
public final class TiyiMetrics {
    private final MetricRegistry registry = new MetricRegistry();
    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public TiyiMetrics() {
        registry.register("jvm.memory", new MemoryUsageGaugeSet());
        registry.register("jvm.threads", new ThreadStatesGaugeSet());
        registry.register("jvm.gc", new GarbageCollectorMetricSet());
        registry.register("jvm.classes", new ClassLoadingGaugeSet());
        registry.register("jvm.buffers", new BufferPoolMetricSet(ManagementFactory.getPlatformMBeanServer()));
        DropwizardExports.builder().dropwizardRegistry(registry).register(prometheus);
    }

    /** The registry components record into. */
    public MetricRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition content type. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Writes every metric in the Prometheus text format. */
    public void writeTo(OutputStream out) throws IOException {
        writer.write(out, prometheus.scrape());
    }
}
