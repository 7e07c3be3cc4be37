package io.ingestobs.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the broker says: committed offsets of a group, records in a topic, the JSON records of a topic. */
public final class KafkaTopics {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaTopics() {
    }

    /** Sum of the group's committed offsets over its partitions; -1 when the broker cannot say. */
    public static long committed(String brokers, String group) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Records ever written to {@code topic}: every publication, whoever consumed it. */
    public static long endOffsets(String brokers, String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Reads {@code topic} from the start until {@code expected} records came, then a little longer so that a
     * duplicate or a stray record would show, and asserts there are exactly {@code expected}.
     */
    public static List<JsonNode> readJson(String brokers, String topic, int expected) throws Exception {
        List<JsonNode> records = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : read(brokers, topic, expected, Duration.ofSeconds(1))) {
            records.add(JSON.readTree(record.value()));
        }
        assertEquals(expected, records.size(), () -> topic + " holds: " + records.stream().map(JsonNode::toString)
                .collect(Collectors.joining("\n")));
        return records;
    }

    /** A record of a topic: where it is, and its value as text. */
    public record Located(int partition, long offset, String value) {
    }

    /** Every record of {@code topic} (at least {@code expected}), read from the start, with where it is. */
    public static List<Located> readLocated(String brokers, String topic, int expected) {
        return read(brokers, topic, expected, Duration.ZERO).stream()
                .map(r -> new Located(r.partition(), r.offset(), new String(r.value(), StandardCharsets.UTF_8)))
                .toList();
    }

    /**
     * The records of {@code topic} from its start, polled until {@code expected} came or 60 s passed, then for
     * {@code lookFurther} more (a duplicate or a stray record would show then).
     */
    private static List<ConsumerRecord<String, byte[]>> read(String brokers, String topic, int expected,
                                                             Duration lookFurther) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", brokers,
                "group.id", "reader-" + System.nanoTime(), "auto.offset.reset", "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            if (!lookFurther.isZero()) {
                consumer.poll(lookFurther).forEach(records::add);
            }
        }
        return records;
    }
}
