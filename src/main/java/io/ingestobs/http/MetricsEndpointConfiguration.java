package io.ingestobs.http;

import io.ingestobs.metrics.RunMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;

import java.time.Duration;

/**
 * Adds {@link MetricsEndpoint} for the meters the pipeline made (the registry, and the run meters bound as
 * {@code runMeters} by ConsumerConfiguration), at the path of {@code camel.metrics.path}. Runs after the pipeline's
 * configurations; without a management server (the
 * producer role) the endpoint finds nothing to mount on and serves nothing.
 */
public final class MetricsEndpointConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        PrometheusMeterRegistry registry = context.getRegistry()
                .lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, PrometheusMeterRegistry.class);
        RunMetrics runMetrics = context.getRegistry().lookupByNameAndType("runMeters", RunMetrics.class);
        if (registry == null || runMetrics == null) {
            throw new IllegalStateException("GET /metrics needs the meter registry and the run meters, which "
                    + "PipelineConfiguration and ConsumerConfiguration bind: they must be configured first");
        }
        String path = context.getPropertiesComponent().resolveProperty("camel.metrics.path").orElse("/metrics");
        Duration finalScrapeWait = Duration.ofMillis(Long.parseLong(context.getPropertiesComponent()
                .resolveProperty("metrics.finalScrapeWaitMs").orElse("0").trim()));
        context.addService(new MetricsEndpoint(registry, runMetrics, path, finalScrapeWait), true);
    }
}
