package io.ingestobs.camel;

import io.ingestobs.domain.LabelCardinalityLimiter;
import io.ingestobs.kafka.ConsumerLagMonitor;
import io.ingestobs.metrics.PairBudget;
import io.ingestobs.metrics.RunMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.support.service.ServiceSupport;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * The beans of routes/consumer.yaml, declared the Camel Main way: settings injected from the properties (SPEC §6),
 * beans bound under the names the route uses. Those that count are lazy: they are made on first use, once
 * {@link PipelineConfiguration} has set up the meter registry.
 */
public final class ConsumerConfiguration implements CamelConfiguration {

    @PropertyInject("labels.cardinalityLimit")
    private int labelCardinalityLimit;
    @PropertyInject("metrics.maxPairs")
    private int maxPairs;
    @PropertyInject("consumer.handoverCommitTimeoutMs")
    private int handoverCommitTimeoutMs;
    @PropertyInject("consumer.batchesInFlight")
    private int batchesInFlight;
    @PropertyInject("loki.retry.maxTimeMs")
    private long lokiRetryMaxMs;
    @PropertyInject("consumer.stateReadBackRecords")
    private int stateReadBackRecords;
    @PropertyInject("consumer.stateReadBackTimeoutMs")
    private int stateReadBackTimeoutMs;
    @PropertyInject("kafka.brokers")
    private String brokers;
    @PropertyInject("kafka.topic")
    private String topic;
    @PropertyInject("kafka.groupId")
    private String groupId;
    @PropertyInject(value = "camel.component.kafka.securityProtocol", defaultValue = "")
    private String securityProtocol;
    @PropertyInject(value = "camel.component.kafka.saslMechanism", defaultValue = "")
    private String saslMechanism;
    @PropertyInject(value = "camel.component.kafka.saslJaasConfig", defaultValue = "")
    private String saslJaasConfig;

    private final Clock clock;

    public ConsumerConfiguration() {
        this(Clock.systemUTC());
    }

    public ConsumerConfiguration(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void configure(CamelContext context) {
        // the beans are declared below
    }

    /** LABEL_CARDINALITY_LIMIT: distinct values per label before folding into __other__. */
    @BindToRegistry(value = "labelLimiter", lazy = true)
    public LabelCardinalityLimiter labelLimiter(CamelContext context) {
        LabelCardinalityLimiter limiter = new LabelCardinalityLimiter(labelCardinalityLimit);
        MeterRegistry registry = PipelineConfiguration.meterRegistry(context);
        for (String label : List.of("source", "etat", "objet", "entreprise", "zone")) {
            FunctionCounter.builder("ingestion.label.values.folded", limiter, l -> l.foldedCount(label))
                    .description("Events whose label value was folded into __other__ by LABEL_CARDINALITY_LIMIT")
                    .tag("label", label).register(registry);
        }
        return limiter;
    }

    /** METRICS_MAX_PAIRS: source/objet pairs with series of their own. */
    @BindToRegistry(value = "pairBudget", lazy = true)
    public PairBudget pairBudget() {
        return new PairBudget(maxPairs);
    }

    /** The run meters; GET /metrics serves them too (io.ingestobs.http.MetricsEndpointConfiguration). */
    @BindToRegistry(value = "runMeters", lazy = true)
    public RunMetrics runMeters(CamelContext context, @BeanInject("labelLimiter") LabelCardinalityLimiter limiter,
                                @BeanInject("pairBudget") PairBudget budget) {
        return new RunMetrics(PipelineConfiguration.meterRegistry(context), limiter, budget);
    }

    @BindToRegistry(value = "committedRuns", lazy = true)
    public CommittedRunCounter committedRuns(@BeanInject("runMeters") RunMetrics runMetrics) {
        return new CommittedRunCounter(runMetrics);
    }

    @BindToRegistry(value = "deliveryLedger", lazy = true)
    public DeliveryLedger deliveryLedger(CamelContext context) {
        DeliveryLedger ledger = new DeliveryLedger();
        Gauge.builder("ingestion.runs.awaiting.commit", ledger, DeliveryLedger::waitingRuns)
                .description("Runs delivered to Loki or the DLQ, counted once the commit of their offsets is "
                        + "acknowledged").register(PipelineConfiguration.meterRegistry(context));
        return ledger;
    }

    @BindToRegistry(value = "commitSender", lazy = true)
    public CommitSender commitSender(@BeanInject("deliveryLedger") DeliveryLedger ledger,
                                     @BeanInject("committedRuns") CommittedRunCounter counter) {
        return new CommitSender(ledger, counter);
    }

    @BindToRegistry(value = "batchReader", lazy = true)
    public BatchReader batchReader(@BeanInject("labelLimiter") LabelCardinalityLimiter limiter) {
        return new BatchReader(new RedeliveryFilter(), limiter, clock);
    }

    @BindToRegistry(value = "metricPairsHealth", lazy = true)
    public MetricPairsHealthCheck metricPairsHealth(@BeanInject("pairBudget") PairBudget budget) {
        return new MetricPairsHealthCheck(budget);
    }

    /** CONSUMER_BATCHES_IN_FLIGHT: batches handed to Loki and not yet settled while the next ones are read. */
    @BindToRegistry(value = "offsetCommitter", lazy = true)
    public OffsetCommitter offsetCommitter(@BeanInject("deliveryLedger") DeliveryLedger ledger,
                                           @BeanInject("committedRuns") CommittedRunCounter counter) {
        return new OffsetCommitter(ledger, counter, batchesInFlight);
    }

    /**
     * The threads that push the batches handed over (routes/consumer.yaml, deliver-batch): one per batch in flight,
     * so a handed-over batch never queues behind another for a thread.
     */
    @BindToRegistry(value = "batchDeliverers", lazy = true)
    public ExecutorService batchDeliverers(CamelContext context) {
        return context.getExecutorServiceManager().newFixedThreadPool(this, "batch-deliverer", batchesInFlight);
    }

    @BindToRegistry("recordCommits")
    public RecordCommitFactory recordCommits() {
        return new RecordCommitFactory();
    }

    /** A partition that leaves this consumer first gets what was delivered committed, then counted (SPEC §4). */
    @BindToRegistry(value = "handoverClients", lazy = true)
    public HandoverKafkaClientFactory handoverClients(@BeanInject("deliveryLedger") DeliveryLedger ledger,
                                                      @BeanInject("commitSender") CommitSender sender,
                                                      @BeanInject("committedRuns") CommittedRunCounter counter,
                                                      @BeanInject("runMeters") RunMetrics runMetrics) {
        // a leaving partition waits for its batches in flight: each is settled within the Loki retry budget, plus
        // the dead letters' own send
        Duration inFlightTimeout = Duration.ofMillis(lokiRetryMaxMs + handoverCommitTimeoutMs);
        return new HandoverKafkaClientFactory(ledger, sender, counter, Duration.ofMillis(handoverCommitTimeoutMs),
                inFlightTimeout, runMetrics, stateReadBackRecords, Duration.ofMillis(stateReadBackTimeoutMs));
    }

    /** kafka_consumer_lag_sum, from the group's committed offsets; its admin client closes with the context. */
    @BindToRegistry(value = "consumerLag", lazy = true)
    public ConsumerLagMonitor consumerLag(CamelContext context) throws Exception {
        Map<String, Object> admin = new HashMap<>();
        admin.put("bootstrap.servers", brokers);
        putIfSet(admin, "security.protocol", securityProtocol);
        putIfSet(admin, "sasl.mechanism", saslMechanism);
        putIfSet(admin, "sasl.jaas.config", saslJaasConfig);
        ConsumerLagMonitor lag = new ConsumerLagMonitor(PipelineConfiguration.meterRegistry(context), admin, topic,
                groupId);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                lag.close();
            }
        }, true);
        return lag;
    }

    private static void putIfSet(Map<String, Object> config, String key, String value) {
        if (value != null && !value.isBlank()) {
            config.put(key, value);
        }
    }
}
