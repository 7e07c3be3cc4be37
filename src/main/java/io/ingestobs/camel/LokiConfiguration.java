package io.ingestobs.camel;

import io.ingestobs.loki.LokiDelivery;
import io.ingestobs.loki.LokiSettings;
import io.ingestobs.loki.LokiSink;
import io.ingestobs.loki.LokiSinkMetrics;
import io.ingestobs.loki.LokiStoredEntries;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.support.PropertyBindingSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * The beans of routes/loki.yaml, declared the Camel Main way: settings injected from the properties (SPEC §6),
 * beans bound under the names the route uses. The sink and what needs it are lazy: they are made on first use,
 * once {@link PipelineConfiguration} has set up the meter registry they count in.
 */
public final class LokiConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(LokiConfiguration.class);

    @PropertyInject(value = "loki.url", defaultValue = "")
    private String url;
    @PropertyInject(value = "loki.tenantId", defaultValue = "")
    private String tenantId;
    @PropertyInject(value = "loki.username", defaultValue = "")
    private String username;
    @PropertyInject(value = "loki.password", defaultValue = "")
    private String password;
    @PropertyInject(value = "loki.bearerToken", defaultValue = "")
    private String bearerToken;
    @PropertyInject("loki.batch.maxEntries")
    private int batchMaxEntries;
    @PropertyInject("loki.batch.maxBytes")
    private int batchMaxBytes;
    @PropertyInject("loki.maxLineBytes")
    private int maxLineBytes;
    @PropertyInject("loki.requestTimeoutMs")
    private int requestTimeoutMs;
    @PropertyInject("loki.retry.initialBackoffMs")
    private int initialBackoffMs;
    @PropertyInject("loki.retry.maxBackoffMs")
    private int maxBackoffMs;
    @PropertyInject("loki.retry.maxTimeMs")
    private int maxRetryMs;
    @PropertyInject("loki.pushConcurrency")
    private int pushConcurrency;
    @PropertyInject(value = "consumer.threads", defaultValue = "1")
    private int consumerThreads;
    @PropertyInject("kafka.topic")
    private String topic;

    private final Clock clock;

    public LokiConfiguration() {
        this(Clock.systemUTC());
    }

    public LokiConfiguration(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void configure(CamelContext context) {
        if (pushConcurrency < 1) {
            throw new IllegalStateException("LOKI_PUSH_CONCURRENCY must be at least 1, got " + pushConcurrency);
        }
        // the routes append Loki's paths to {{loki.url}} and a placeholder cannot trim: a LOKI_URL given with a
        // trailing slash or as the push endpoint is made the base here, before the routes are built, so that
        // `java -jar` and `camel run` alike push to it
        String base = LokiSettings.baseUrl(url);
        if (!base.equals(url)) {
            context.getPropertiesComponent().addOverrideProperty("loki.url", base);
            url = base;
        }
    }

    /** Where and how to push; credentials stay out of its toString. */
    LokiSettings settings() {
        return new LokiSettings(url, optional(tenantId), optional(username), optional(password),
                optional(bearerToken), batchMaxEntries, batchMaxBytes, maxLineBytes,
                Duration.ofMillis(requestTimeoutMs), Duration.ofMillis(initialBackoffMs),
                Duration.ofMillis(maxBackoffMs), Duration.ofMillis(maxRetryMs));
    }

    /**
     * camel-http, used for Loki only: its timeouts are Loki's request timeout (an unanswered push is then one
     * attempt that got no answer), its pool holds a connection for each request that may be in flight at once
     * (the pushers and a query from each consumer thread), and it never sends a request again by itself: the
     * route's redelivery does, after asking Loki what an unanswered push left in it.
     */
    @BindToRegistry("http")
    public HttpComponent http(CamelContext context) {
        HttpComponent http = new HttpComponent();
        int connections = Math.max(20, pushConcurrency + consumerThreads);
        Map<String, Object> options = new HashMap<>();
        // bound by name, as camel.component.http.* would be: the timeouts are longs in camel-http 4.18 and
        // HttpClient 5 Timeouts in the 4.10 of `camel run` (docs/camel-run.md), converted either way
        for (String timeout : List.of("connectTimeout", "responseTimeout", "soTimeout", "connectionRequestTimeout")) {
            options.put(timeout, Integer.toString(requestTimeoutMs));
        }
        options.put("connectionsPerRoute", connections);
        options.put("maxTotalConnections", Math.max(200, connections));
        options.put("automaticRetriesDisabled", true);
        PropertyBindingSupport.build().withCamelContext(context).withTarget(http).withProperties(options)
                .withMandatory(true).bind();
        return http;
    }

    @BindToRegistry("lokiPushSteps")
    public LokiPushSteps pushSteps() {
        return new LokiPushSteps(settings());
    }

    /**
     * The requests of one batch go out side by side on this pool (the split of loki-push): against a real Loki
     * (tens of ms a push) one at a time would bound the whole pipeline. Camel's, named like its threads and shut
     * down with the context once the routes have stopped.
     */
    @BindToRegistry(value = "lokiPushers", lazy = true)
    public ExecutorService pushers(CamelContext context) {
        return context.getExecutorServiceManager().newFixedThreadPool(this, "LokiPush", pushConcurrency);
    }

    @BindToRegistry(value = "lokiSink", lazy = true)
    public LokiDelivery sink(CamelContext context) {
        LokiSettings settings = settings();
        if (settings.url().isEmpty()) {
            LOG.info("LOKI_URL is not set: the Loki sink is off; runs are counted in the metrics only");
            return LokiDelivery.OFF;
        }
        LOG.info("Loki sink on: {}", settings);
        ProducerTemplate template = context.createProducerTemplate();
        return new LokiSink(settings, new LokiSinkMetrics(PipelineConfiguration.meterRegistry(context)),
                new LokiStoredEntries(new CamelLokiQueries(template)));
    }

    @BindToRegistry(value = "lokiStage", lazy = true)
    public LokiStage stage(@BeanInject("lokiSink") LokiDelivery sink) {
        return new LokiStage(sink, topic, clock);
    }

    @BindToRegistry(value = "lokiHealth", lazy = true)
    public LokiHealthCheck health(@BeanInject("lokiSink") LokiDelivery sink) {
        return new LokiHealthCheck(sink);
    }

    private static String optional(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
