package io.ingestobs.http;

import io.ingestobs.metrics.ExpositionFormat;
import io.ingestobs.metrics.RunMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.BlockingHandlerDecorator;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.StaticService;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * {@code GET /metrics} on Camel's management server, in place of camel-micrometer-prometheus' handler
 * ({@code camel.management.metricsEnabled=false} keeps that one off; its meters, binders and route policy stay).
 * The run families are written by {@link RunMetrics#exposition()}, then every other meter of the Micrometer
 * registry by the Prometheus client's writer, both streamed into the response: Camel's handler made the whole
 * scrape one String (70 MiB at 10,000 source/objet pairs) and then its bytes, for a second of CPU per scrape.
 * Same formats and content negotiation as Camel's handler: OpenMetrics when the client accepts it, else the
 * Prometheus text format 0.0.4.
 */
public final class MetricsEndpoint extends ServiceSupport implements CamelContextAware, StaticService {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final PrometheusMeterRegistry registry;
    private final RunMetrics runMetrics;
    private final String path;
    private final PrometheusTextFormatWriter textWriter = PrometheusTextFormatWriter.create();
    private final OpenMetricsTextFormatWriter openMetricsWriter = OpenMetricsTextFormatWriter.create();
    private final FinalScrape finalScrape;
    private CamelContext camelContext;
    private boolean serving;

    /** Without a final-scrape wait. */
    public MetricsEndpoint(PrometheusMeterRegistry registry, RunMetrics runMetrics, String path) {
        this(registry, runMetrics, path, Duration.ZERO);
    }

    public MetricsEndpoint(PrometheusMeterRegistry registry, RunMetrics runMetrics, String path,
                           Duration finalScrapeWait) {
        this.registry = registry;
        this.runMetrics = runMetrics;
        this.path = path;
        this.finalScrape = new FinalScrape(finalScrapeWait);
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    protected void doStart() {
        // absent in the producer role, which opens no HTTP port (camel.management.enabled=false)
        ManagementHttpServer server = camelContext.hasService(ManagementHttpServer.class);
        VertxPlatformHttpRouter router = server == null ? null : server.getRouter();
        if (router == null) {
            LOG.info("No management HTTP server: {} is not served", path);
            return;
        }
        Route route = router.route(path);
        route.method(HttpMethod.GET);
        // on a worker thread, one scrape at a time, as Camel's handler did: a scrape must not hold the event loop
        route.handler(new BlockingHandlerDecorator(this::handle, true));
        PlatformHttpComponent platformHttp = camelContext.getComponent("platform-http", PlatformHttpComponent.class);
        if (platformHttp != null) {
            platformHttp.addHttpManagementEndpoint(path, "GET", null,
                    ExpositionFormat.PROMETHEUS_TEXT.contentType(), null);
        }
        serving = true;
        LOG.info("Metrics served on management port {} at {}", server.getPort(), path);
    }

    /**
     * Camel stops its services after its routes, and this one before the management server that it was mounted
     * on: the consumer has made its last count, and the server still answers while this waits for one more scrape.
     */
    @Override
    protected void doStop() throws InterruptedException {
        if (!serving) {
            return;
        }
        LOG.info("Last counts made; waiting for a final scrape of {} before stopping", path);
        if (finalScrape.awaitOneMore()) {
            LOG.info("Final scrape of {} served", path);
        }
    }

    private void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        ExpositionFormat format = ExpositionFormat.forAccept(ctx.request().getHeader("Accept"));
        HttpServerResponse response = ctx.response();
        response.putHeader("Content-Type", format.contentType());
        try {
            ResponseOutputStream out = new ResponseOutputStream(response);
            write(out, format);
            long written = System.nanoTime();
            response.end().onSuccess(v -> {
                if (LOG.isDebugEnabled()) {
                    // the server's side of a scrape, apart from the client's: docs/benchmark.md measures both
                    LOG.debug("GET {}: {} bytes written in {} ms, the last one sent after {} ms", path, out.bytes(),
                            (written - start) / 1_000_000, (System.nanoTime() - start) / 1_000_000);
                }
            });
            finalScrape.served(start);
        } catch (IOException | RuntimeException e) {
            LOG.warn("GET {} failed: {}", path, e.toString());
            if (!response.headWritten()) {
                ctx.fail(e);
            } else if (!response.closed()) {
                // a cut connection, not a short body Prometheus would take for a whole scrape
                response.reset();
            }
        }
    }

    /** The whole exposition into {@code out}: the run families, then the registry's other meters. */
    public void write(OutputStream out, ExpositionFormat format) throws IOException {
        runMetrics.exposition().write(out, format);
        MetricSnapshots others = registry.getPrometheusRegistry().scrape(name -> !RunMetrics.isRunFamily(name));
        ExpositionFormatWriter writer = format == ExpositionFormat.OPENMETRICS ? openMetricsWriter : textWriter;
        // writes "# EOF" last for OpenMetrics, which must end the exposition
        writer.write(out, others);
    }
}
