package io.ingestobs.kafka;

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

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code kafka_consumer_lag_sum}: records of the topic the group has not committed yet, summed over partitions,
 * read from the broker (so it is right whichever consumer instance owns which partition).
 */
public final class ConsumerLagMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagMonitor.class);

    private final String topic;
    private final String group;
    private final Map<String, Object> adminConfig;
    private final AtomicLong lag = new AtomicLong();
    private Admin admin;

    public ConsumerLagMonitor(MeterRegistry registry, Map<String, Object> adminConfig, String topic, String group) {
        this.adminConfig = adminConfig;
        this.topic = topic;
        this.group = group;
        Gauge.builder("kafka.consumer.lag.sum", lag, AtomicLong::get)
                .description("Records behind, summed over partitions")
                .tags("topic", topic, "group", group).register(registry);
    }

    public void refresh() {
        try {
            Admin client = admin();
            Map<TopicPartition, OffsetAndMetadata> committed = client.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            client.describeTopics(java.util.List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().forEach(p -> {
                        latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                        earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
                    });
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    client.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
                    client.listOffsets(earliest).all().get(10, TimeUnit.SECONDS);
            long total = 0;
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : ends.entrySet()) {
                OffsetAndMetadata position = committed.get(end.getKey());
                long from = position != null ? position.offset() : starts.get(end.getKey()).offset();
                total += Math.max(0, end.getValue().offset() - from);
            }
            lag.set(total);
        } catch (Exception e) {
            LOG.debug("Could not read the consumer lag of group {} on {}: {}", group, topic, e.toString());
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Properties props = new Properties();
            props.putAll(adminConfig);
            props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
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
