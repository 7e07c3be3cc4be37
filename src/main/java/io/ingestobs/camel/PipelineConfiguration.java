package io.ingestobs.camel;

import io.ingestobs.domain.CanonicalRunTranscoder;
import io.ingestobs.domain.EventRestructurer;
import io.ingestobs.domain.RunRecordValidator;
import io.ingestobs.domain.Thresholds;
import io.ingestobs.domain.TimestampParser;
import io.ingestobs.metrics.PipelineMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;

import java.io.File;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.ExecutorService;

/**
 * The beans of routes/producer.yaml and routes/dead-letters.yaml, and the meter registry, declared the Camel Main
 * way: settings injected from {@code application.properties} (themselves fed by the environment of SPEC §6), beans
 * bound under the names the YAML routes use. The consumer's are declared in {@link ConsumerConfiguration}, the Loki
 * stage's in {@link LokiConfiguration}.
 */
public final class PipelineConfiguration implements CamelConfiguration {

    @PropertyInject("thresholds.highMemoryBytes")
    private long highMemoryBytes;
    @PropertyInject("thresholds.highCpuSeconds")
    private double highCpuSeconds;
    @PropertyInject("input.timezone")
    private String timezone;
    @PropertyInject("input.rebaseTimestamps")
    private boolean rebaseTimestamps;
    @PropertyInject("input.simulateRealtime")
    private boolean simulateRealtime;
    @PropertyInject("input.simulateSpeed")
    private double simulateSpeed;
    @PropertyInject("input.descriptionMaxBytes")
    private int descriptionMaxBytes;
    @PropertyInject("producer.batchRecords")
    private int batchRecords;
    @PropertyInject("producer.groupsInFlight")
    private int groupsInFlight;
    @PropertyInject("input.stateFile")
    private String stateFile;

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
    public void configure(CamelContext context) {
        // the registry exists before MetricsEndpointConfiguration serves it, whichever bean is made first
        meterRegistry(context);
    }

    /** The producer's end-of-input summary; the launcher holds it to learn when the producer role is done. */
    @BindToRegistry("producerSummary")
    public ProducerSummary producerSummary() {
        return producerSummary;
    }

    /** Meters of the producer and the dead letters (published, rejected by reason). */
    @BindToRegistry(value = "pipelineMetrics", lazy = true)
    public PipelineMetrics pipelineMetrics(CamelContext context) {
        return new PipelineMetrics(meterRegistry(context));
    }

    @BindToRegistry(value = "inputReader", lazy = true)
    public InputReader inputReader(@BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        Thresholds thresholds = new Thresholds(highMemoryBytes, highCpuSeconds);
        RunRecordValidator validator = new RunRecordValidator(new TimestampParser(ZoneId.of(timezone)));
        InputReader.Options options = new InputReader.Options(rebaseTimestamps, simulateRealtime, simulateSpeed);
        return new InputReader(validator, new EventRestructurer(thresholds, descriptionMaxBytes),
                CanonicalRunTranscoder.forZone(ZoneId.of(timezone), thresholds, descriptionMaxBytes), metrics,
                producerSummary, options, clock, batchRecords, groupsInFlight);
    }

    /**
     * The thread that hands each group of the producer to camel-kafka (routes/producer.yaml, wireTap): one, so that
     * the groups are sent in file order and each source's records reach the client in order.
     */
    @BindToRegistry(value = "groupSender", lazy = true)
    public ExecutorService groupSender(CamelContext context) {
        return context.getExecutorServiceManager().newSingleThreadExecutor(this, "GroupSender");
    }

    @BindToRegistry(value = "deadLetters", lazy = true)
    public DeadLetterWriter deadLetters(@BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        return new DeadLetterWriter(metrics);
    }

    /** INPUT_STATE_FILE: the INPUT_DIR files already published, remembered across restarts. */
    @BindToRegistry(value = "ingestedFiles", lazy = true)
    public IdempotentRepository ingestedFiles() {
        return FileIdempotentRepository.fileIdempotentRepository(new File(stateFile), 100_000);
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
}
