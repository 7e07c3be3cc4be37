package io.ingestobs.camel;

import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.RunRecordValidator;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.domain.TimestampParser;
import io.ingestobs.metrics.PipelineMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;

import java.io.File;
import java.time.Clock;
import java.time.ZoneId;

/**
 * Builds the pipeline's beans from the properties of {@code application.properties} (themselves fed by the
 * environment of SPEC §6) and binds them under the names the YAML routes use: the meter registry, the producer's
 * and the dead letters'. The consumer's are declared in {@link ConsumerConfiguration}, the Loki stage's in
 * {@link LokiConfiguration}.
 */
public final class PipelineConfiguration implements CamelConfiguration {

    private final ProducerSummary producerSummary;
    private final Clock clock;

    public PipelineConfiguration() {
        this(new ProducerSummary(() -> { }), Clock.systemUTC());
    }

    public PipelineConfiguration(ProducerSummary producerSummary, Clock clock) {
        this.producerSummary = producerSummary;
        this.clock = clock;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent props = context.getPropertiesComponent();
        PrometheusMeterRegistry registry = meterRegistry(context);

        PipelineMetrics pipelineMetrics = new PipelineMetrics(registry);
        Thresholds thresholds = new Thresholds(Long.parseLong(prop(props, "thresholds.highMemoryBytes")),
                Double.parseDouble(prop(props, "thresholds.highCpuSeconds")));
        RunRecordValidator validator = new RunRecordValidator(
                new TimestampParser(ZoneId.of(prop(props, "input.timezone"))));

        bind(context, "producerSummary", producerSummary);
        InputReader.Options options = new InputReader.Options(
                Boolean.parseBoolean(prop(props, "input.rebaseTimestamps")),
                Boolean.parseBoolean(prop(props, "input.simulateRealtime")),
                Double.parseDouble(prop(props, "input.simulateSpeed")));
        bind(context, "inputReader", new InputReader(validator, new EventRestructurer(thresholds,
                intProp(props, "input.descriptionMaxBytes")), pipelineMetrics,
                producerSummary, options, clock, intProp(props, "producer.batchRecords")));
        bind(context, "deadLetters", new DeadLetterWriter(pipelineMetrics));
        bind(context, "ingestedFiles", FileIdempotentRepository.fileIdempotentRepository(
                new File(prop(props, "input.stateFile")), 100_000));
    }

    /** The registry Camel serves on /metrics: ours and Camel's meters in one scrape. */
    static PrometheusMeterRegistry meterRegistry(CamelContext context) {
        PrometheusMeterRegistry registry = context.getRegistry()
                .lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, PrometheusMeterRegistry.class);
        if (registry == null) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        }
        return registry;
    }

    private static void bind(CamelContext context, String name, Object bean) {
        context.getRegistry().bind(name, bean);
    }

    private static String prop(PropertiesComponent props, String key) {
        return props.resolveProperty(key)
                .orElseThrow(() -> new IllegalStateException("missing configuration property " + key));
    }

    private static int intProp(PropertiesComponent props, String key) {
        String value = prop(props, key).trim();
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(key + " must be a whole number, got '" + value + "'");
        }
    }
}
