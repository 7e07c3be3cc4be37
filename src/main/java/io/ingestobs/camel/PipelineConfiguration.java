package io.ingestobs.camel;

import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.domain.RunRecordValidator;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.domain.TimestampParser;
import io.ingestobs.kafka.ConsumerLagMonitor;
import io.ingestobs.metrics.PairBudget;
import io.ingestobs.metrics.PipelineMetrics;
import io.ingestobs.metrics.RunMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

import java.io.File;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the pipeline's beans from the properties of {@code application.properties} (themselves fed by the
 * environment of SPEC §6) and binds them under the names the YAML routes use. The Loki stage's are declared in
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
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(intProp(props, "labels.cardinalityLimit"));
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
                producerSummary, options, clock));
        bind(context, "deadLetters", new DeadLetterWriter(pipelineMetrics));
        bind(context, "ingestedFiles", FileIdempotentRepository.fileIdempotentRepository(
                new File(prop(props, "input.stateFile")), 100_000));
        bind(context, "batchReader", new BatchReader(new RedeliveryFilter(), limiter, clock));
        for (String label : List.of("source", "etat", "objet", "entreprise", "zone")) {
            FunctionCounter.builder("ingestion.label.values.folded", limiter, l -> l.foldedCount(label))
                    .description("Events whose label value was folded into __other__ by LABEL_CARDINALITY_LIMIT")
                    .tag("label", label).register(registry);
        }
        PairBudget pairBudget = new PairBudget(intProp(props, "metrics.maxPairs"));
        RunMetrics runMetrics = new RunMetrics(registry, limiter, pairBudget);
        bind(context, "metricPairsHealth", new MetricPairsHealthCheck(pairBudget));
        // for GET /metrics (io.ingestobs.http.MetricsEndpointConfiguration, wired by the launcher)
        bind(context, "runMeters", runMetrics);
        CommittedRunCounter counter = new CommittedRunCounter(runMetrics);
        Gauge.builder("ingestion.runs.awaiting.commit", counter, CommittedRunCounter::waitingRuns)
                .description("Runs delivered to Loki or the DLQ, counted once the commit of their offsets is "
                        + "acknowledged").register(registry);
        bind(context, "offsetCommitter", new OffsetCommitter(counter));
        bind(context, "recordCommits", new RecordCommitFactory());
        bind(context, "handoverClients", new HandoverKafkaClientFactory(counter,
                Duration.ofMillis(intProp(props, "consumer.handoverCommitTimeoutMs")), runMetrics,
                intProp(props, "consumer.stateReadBackRecords"),
                Duration.ofMillis(intProp(props, "consumer.stateReadBackTimeoutMs"))));

        Map<String, Object> admin = new HashMap<>();
        admin.put("bootstrap.servers", prop(props, "kafka.brokers"));
        props.resolveProperty("camel.component.kafka.securityProtocol").ifPresent(v -> admin.put("security.protocol", v));
        props.resolveProperty("camel.component.kafka.saslMechanism").ifPresent(v -> admin.put("sasl.mechanism", v));
        props.resolveProperty("camel.component.kafka.saslJaasConfig").ifPresent(v -> admin.put("sasl.jaas.config", v));
        ConsumerLagMonitor lag = new ConsumerLagMonitor(registry, admin, prop(props, "kafka.topic"),
                prop(props, "kafka.groupId"));
        bind(context, "consumerLag", lag);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                lag.close();
            }
        }, true);
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
