package io.ingestobs.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code kafka_consumer_lag_sum}: records of the topic the group has not committed yet, summed over partitions,
 * read from the broker (so it is right whichever consumer instance owns which partition). A refresh that fails
 * leaves the last value in place, so it must not pass unseen: {@code ingestion_consumer_lag_refresh_failures_total}
 * counts the failures and {@code ingestion_consumer_lag_last_refresh_timestamp_seconds} says when the value was
 * last read (0 before the first success), so the lag's age can be queried; the first failure of a streak is logged
 * as a warning with its cause, the recovery once.
 */
public final class ConsumerLagMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagMonitor.class);

    private final String topic;
    private final String group;
    private final Map<String, Object> adminConfig;
    private final Duration timeout;
    private final Clock clock;
    private final AtomicLong lag = new AtomicLong();
    private final AtomicLong lastRefreshMillis = new AtomicLong();
    private final Counter failures;
    private int failureStreak;
    private Admin admin;

    public ConsumerLagMonitor(MeterRegistry registry, Map<String, Object> adminConfig, String topic, String group) {
        this(registry, adminConfig, topic, group, Duration.ofSeconds(10), Clock.systemUTC());
    }

    /** @param timeout how long each of a refresh's requests to the broker may take */
    public ConsumerLagMonitor(MeterRegistry registry, Map<String, Object> adminConfig, String topic, String group,
                              Duration timeout, Clock clock) {
        this.adminConfig = adminConfig;
        this.topic = topic;
        this.group = group;
        this.timeout = timeout;
        this.clock = clock;
        Gauge.builder("kafka.consumer.lag.sum", lag, AtomicLong::get)
                .description("Records behind, summed over partitions")
                .tags("topic", topic, "group", group).register(registry);
        Gauge.builder("ingestion.consumer.lag.last.refresh.timestamp", lastRefreshMillis, m -> m.get() / 1000.0)
                .baseUnit("seconds")
                .description("When kafka_consumer_lag_sum was last read from the broker (epoch s; 0: never)")
                .tags("topic", topic, "group", group).register(registry);
        this.failures = Counter.builder("ingestion.consumer.lag.refresh.failures")
                .description("Refreshes of kafka_consumer_lag_sum that failed (the gauge then keeps its last value)")
                .tags("topic", topic, "group", group).register(registry);
    }

    /** Called by one timer thread at a time. */
    public void refresh() {
        long total;
        try {
            total = read();
        } catch (Exception e) {
            failures.increment();
            if (failureStreak++ == 0) {
                LOG.warn("Could not read the consumer lag of group {} on {}: {}; kafka_consumer_lag_sum keeps its "
                        + "last value until a refresh succeeds", group, topic, e.toString());
            } else {
                LOG.debug("Consumer lag still unreadable ({} failures in a row): {}", failureStreak, e.toString());
            }
            return;
        }
        lag.set(total);
        lastRefreshMillis.set(clock.millis());
        if (failureStreak > 0) {
            LOG.info("Consumer lag of group {} on {} read again after {} failed refreshes", group, topic,
                    failureStreak);
            failureStreak = 0;
        }
    }

    private long read() throws Exception {
        long millis = timeout.toMillis();
        Admin client = admin();
        Map<TopicPartition, OffsetAndMetadata> committed = client.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(millis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        client.describeTopics(java.util.List.of(topic)).allTopicNames().get(millis, TimeUnit.MILLISECONDS)
                .get(topic).partitions().forEach(p -> {
                    latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                    earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
                });
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                client.listOffsets(latest).all().get(millis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
                client.listOffsets(earliest).all().get(millis, TimeUnit.MILLISECONDS);
        long total = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : ends.entrySet()) {
            OffsetAndMetadata position = committed.get(end.getKey());
            long from = position != null ? position.offset() : starts.get(end.getKey()).offset();
            total += Math.max(0, end.getValue().offset() - from);
        }
        return total;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Properties props = new Properties();
            props.putAll(adminConfig);
            props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            admin = Admin.create(props);
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
        }
    }
}
