package io.ingestobs.launcher;

import kafka.server.KafkaConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A real single-node KRaft broker in this JVM, data in a temporary directory: the demo's Kafka when no
 * {@code KAFKA_BOOTSTRAP_SERVERS} is given. A second process can produce to it on its port.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private final KafkaConfig config;
    private final Path dataDir;
    private final String bootstrapServers;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(KafkaConfig config, Path dataDir, String bootstrapServers) {
        this.config = config;
        this.dataDir = dataDir;
        this.bootstrapServers = bootstrapServers;
        this.server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
    }

    public static EmbeddedKafkaBroker start(int port, int partitions) {
        requireFree(port);
        int controllerPort = freePort();
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("ingestion-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dataDir.toString());
        props.put("num.partitions", Integer.toString(partitions));
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "3");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "true");
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dataDir.toString()))
                    .setMetadataLogDirectory(dataDir.toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setControllerListenerName("CONTROLLER")
                    .setNoInitialControllersFlag(true)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("could not format the embedded broker's storage in " + dataDir, e);
        }
        return new EmbeddedKafkaBroker(KafkaConfig.fromProps(props, false), dataDir, "127.0.0.1:" + port);
    }

    /** Stops the broker and starts it again on the same port and data, as an operator's restart does. */
    public synchronized void restart() {
        stop();
        startAgain();
    }

    /** Stops the broker, keeping its data: clients see it gone until {@link #startAgain()}. */
    public synchronized void stop() {
        server.shutdown();
        server.awaitShutdown();
    }

    /** Starts a stopped broker again on the same port and data. */
    public synchronized void startAgain() {
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
    }

    /** Creates the topics up front, so a consumer that starts before the first record sees them at once. */
    public void createTopics(int partitions, String... topics) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = Arrays.stream(topics).filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, partitions, (short) 1)).toList();
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics on the embedded broker: " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    private static void requireFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new IllegalStateException("EMBEDDED_KAFKA_PORT " + port + " is already in use: stop what uses it, "
                    + "choose another EMBEDDED_KAFKA_PORT, or set KAFKA_BOOTSTRAP_SERVERS to a running cluster", e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        server.shutdown();
        server.awaitShutdown();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: the OS cleans up what is left
        }
    }
}
