package io.ingestobs.testsupport;

import io.ingestobs.launcher.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** One real KRaft broker for a test class: {@code @RegisterExtension static final KafkaBrokerExtension broker}. */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedKafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.freePort(), 3);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        broker.close();
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public void createTopics(int partitions, String... topics) {
        broker.createTopics(partitions, topics);
    }
}
