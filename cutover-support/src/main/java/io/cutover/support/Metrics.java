package io.cutover.support;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;

import java.util.List;

/**
 * One daemon's metrics: a Prometheus registry that already holds the JVM's and the process's figures (memory, GC,
 * threads, classes, CPU, open files, uptime), every meter tagged with the daemon's name, and the route that serves it
 * as {@code GET /metrics} in Prometheus's text format. The daemon adds its own meters to {@link #registry()}.
 */
public final class Metrics implements AutoCloseable {
    /** Where every daemon serves its metrics. */
    public static final String PATH = "/metrics";
    /** Prometheus's text exposition format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    private Metrics(String daemon) {
        registry.config().commonTags(List.of(Tag.of("daemon", daemon)));
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The metrics of the daemon {@code daemon} (its tag: {@code agent}, {@code sdn}, {@code tunnel}). */
    public static Metrics of(String daemon) {
        return new Metrics(daemon);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The registry in Prometheus's text format, as {@code GET /metrics} answers. */
    public String scrape() {
        return registry.scrape();
    }

    /** Serves {@link #PATH} on {@code router}; the caller's own checks (a token) come before it. */
    public void route(Router router) {
        router.get(PATH).handler(ctx -> ctx.response().putHeader("content-type", CONTENT_TYPE).end(scrape()));
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
