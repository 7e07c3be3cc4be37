package io.ingestobs.bench;

import io.ingestobs.launcher.EmbeddedKafkaBroker;

import java.io.InputStream;

/**
 * The bench's Kafka: the project's single-node KRaft broker, in its own JVM so that the pipeline's heap and CPU
 * figures are its own. Prints {@code READY <bootstrap>} once up; stops when its stdin closes (the bench ended).
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(port, 3);
        System.out.println("READY " + broker.bootstrapServers());
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // wait for the parent to go away
        }
        broker.close();
        System.exit(0);
    }
}
