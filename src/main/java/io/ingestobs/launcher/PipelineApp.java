package io.ingestobs.launcher;

import io.ingestobs.camel.ConsumerConfiguration;
import io.ingestobs.camel.LokiConfiguration;
import io.ingestobs.camel.PipelineConfiguration;
import io.ingestobs.camel.ProducerSummary;
import io.ingestobs.http.MetricsEndpointConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One pipeline process: Camel Main with the YAML routes of {@code routes/}, in the given role, against the given
 * brokers. Apart from the broker so that the embedded one stays a launcher concern.
 */
public final class PipelineApp implements AutoCloseable {

    private final Main main;
    private final ProducerSummary summary;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private PipelineApp(Role role, String brokers, Map<String, String> properties) {
        this.main = new Main();
        this.summary = new ProducerSummary(role == Role.PRODUCER ? main::completed : () -> { });
        main.configure().addConfiguration(new PipelineConfiguration(summary, Clock.systemUTC()));
        main.configure().addConfiguration(new ConsumerConfiguration(Clock.systemUTC()));
        main.configure().addConfiguration(new LokiConfiguration(Clock.systemUTC()));
        // after PipelineConfiguration, whose meters it serves; here and not there because `camel run` (Camel 4.10,
        // no management server) compiles io.ingestobs.camel but neither the launcher nor io.ingestobs.http
        main.configure().addConfiguration(new MetricsEndpointConfiguration());
        // Which route files to load is the launcher's concern, not application.properties': under `camel run` the
        // command line lists them, and a pattern in application.properties would override that list.
        RouteFiles routes = RouteFiles.resolve(System.getenv(), Path.of(""));
        main.addOverrideProperty("camel.main.routesIncludePattern", routes.includePattern());
        if (!routes.onDisk()) {
            // nothing on disk to watch: the packaged routes cannot be edited (ROUTES_RELOAD says so at start)
            main.addOverrideProperty("camel.main.routesReloadEnabled", "false");
        }
        main.addOverrideProperty("kafka.brokers", brokers);
        main.addOverrideProperty("producer.enabled", Boolean.toString(role.produces()));
        main.addOverrideProperty("consumer.enabled", Boolean.toString(role.consumes()));
        if (!role.consumes()) {
            // SPEC §4: the producer opens no HTTP port; its figures are in its summary line.
            main.addOverrideProperty("camel.management.enabled", "false");
        }
        String inputDir = System.getenv("INPUT_DIR");
        if (role.produces() && inputDir != null && !inputDir.isBlank()) {
            main.addOverrideProperty("input.dirEnabled", "true");
        }
        properties.forEach(main::addOverrideProperty);
        this.thread = new Thread(this::runMain, "camel-main");
    }

    private void runMain() {
        try {
            main.run();
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            stopped.countDown();
        }
    }

    /** Starts the pipeline and returns once Camel is started, or throws why it could not start. */
    public static PipelineApp start(Role role, String brokers, Map<String, String> properties, Duration timeout)
            throws InterruptedException {
        if (role.consumes()) {
            requireFreeMetricsPort(properties.getOrDefault("camel.management.port",
                    System.getenv().getOrDefault("METRICS_PORT", "8000")));
        }
        PipelineApp app = new PipelineApp(role, brokers, properties);
        app.thread.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            CamelContext context = app.main.getCamelContext();
            if (context != null && context.isStarted()) {
                return app;
            }
            if (app.stopped.await(50, TimeUnit.MILLISECONDS)) {
                Throwable cause = app.failure.get();
                throw new IllegalStateException("the pipeline stopped while starting"
                        + (cause == null ? "" : ": " + cause.getMessage()), cause);
            }
        }
        app.close();
        throw new IllegalStateException("the pipeline did not start within " + timeout);
    }

    /**
     * Camel's management server logs a bind failure and runs on without /metrics and /health; a consumer without
     * them is invisible to Prometheus, so it must not start at all.
     */
    private static void requireFreeMetricsPort(String value) {
        int port = Integer.parseInt(value.trim());
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new IllegalStateException("METRICS_PORT " + port + " is already in use: /metrics and /health "
                    + "cannot be served. Stop what uses it or set METRICS_PORT to a free port", e);
        }
    }

    public ProducerSummary summary() {
        return summary;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /** Waits for Camel Main to stop by itself (the producer role does once its input is published). */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        main.completed();
        stopped.await(60, TimeUnit.SECONDS);
    }
}
