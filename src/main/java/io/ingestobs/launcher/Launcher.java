package io.ingestobs.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/**
 * {@code java -jar ingestion-observability.jar}: reads the role and Kafka settings from the environment, starts
 * the embedded broker when the demo needs one, then the pipeline. Trailing arguments are ignored on purpose
 * (SPEC §6: the image is run with leftovers such as {@code python producer.py}).
 */
public final class Launcher {

    private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

    private Launcher() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> env) {
        Role role;
        try {
            role = Role.parse(env.get("ROLE"));
        } catch (IllegalArgumentException e) {
            LOG.error(e.getMessage());
            return 2;
        }
        String brokers = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "").trim();
        EmbeddedKafkaBroker broker = null;
        try {
            if (brokers.isEmpty()) {
                if (role != Role.ALL) {
                    LOG.error("KAFKA_BOOTSTRAP_SERVERS is required with ROLE={}: the embedded broker only "
                            + "comes with ROLE=all", role.name().toLowerCase());
                    return 2;
                }
                int port = Integer.parseInt(env.getOrDefault("EMBEDDED_KAFKA_PORT", "9092").trim());
                broker = EmbeddedKafkaBroker.start(port, 3);
                broker.createTopics(3, env.getOrDefault("KAFKA_TOPIC", "ingestion-logs"),
                        env.getOrDefault("KAFKA_DLQ_TOPIC", "ingestion-logs.dlq"));
                brokers = broker.bootstrapServers();
            }
            StartupBanner.print(role, brokers, broker != null, env);
            try (PipelineApp app = PipelineApp.start(role, brokers, Map.of(), Duration.ofMinutes(2))) {
                app.awaitStopped(Duration.ofDays(36500));
                if (app.failure() != null) {
                    LOG.error("The pipeline stopped on an error: {}", app.failure().getMessage(), app.failure());
                    return 1;
                }
                return role == Role.PRODUCER ? app.summary().exitCode() : 0;
            }
        } catch (Exception e) {
            LOG.error("Could not start: {}", e.getMessage(), e);
            return 1;
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }
}
