import io.ingestobs.launcher.EmbeddedKafkaBroker;

/**
 * The Kafka broker of scripts/camel-run.sh: the project's own single-node KRaft broker (the one `java -jar` embeds),
 * alone in its JVM. Run with the packaged jar on the class path:
 * {@code java -cp target/ingestion-observability.jar scripts/camel-run/CheckBroker.java PORT TOPIC...}
 * Prints {@code BROKER READY host:port} once the topics exist, then runs until killed.
 */
public class CheckBroker {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(port, 3);
        String[] topics = java.util.Arrays.copyOfRange(args, 1, args.length);
        broker.createTopics(3, topics);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        System.out.println("BROKER READY " + broker.bootstrapServers());
        System.out.flush();
        Thread.currentThread().join();
    }
}
