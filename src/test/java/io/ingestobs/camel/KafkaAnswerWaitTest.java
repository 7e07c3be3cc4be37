package io.ingestobs.camel;

import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A file that broke off waits for its groups in flight as long as the Kafka client the user configured may take to
 * answer them, not a fixed time: a delivery timeout raised past the old fixed five minutes is waited for.
 */
class KafkaAnswerWaitTest {

    @Test
    void theClientsDefaultsWhenNothingIsSet() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addComponent("kafka", new KafkaComponent());
            KafkaAnswerWait wait = KafkaAnswerWait.of(context);
            assertEquals(Duration.ofMinutes(2), wait.deliveryTimeout(), "delivery.timeout.ms default");
            assertEquals(Duration.ofMinutes(1), wait.maxBlock(), "max.block.ms default");
            assertEquals(Duration.ofMinutes(5), wait.bound());
        }
    }

    @Test
    void followsTheComponentsOptionsAsTheShippedPropertiesSetThem() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            KafkaComponent kafka = new KafkaComponent();
            kafka.getConfiguration().setDeliveryTimeoutMs(600_000);
            kafka.getConfiguration().setMaxBlockMs(15_000);
            context.addComponent("kafka", kafka);
            assertEquals(Duration.ofSeconds(1_215), KafkaAnswerWait.of(context).bound(),
                    "a 10-minute delivery timeout is waited for, twice, plus the block");
        }
    }

    @Test
    void additionalPropertiesWinAsTheyDoInTheClient() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            KafkaComponent kafka = new KafkaComponent();
            kafka.getConfiguration().setDeliveryTimeoutMs(600_000);
            kafka.getConfiguration().setAdditionalProperties(Map.of("delivery.timeout.ms", " 900000",
                    "max.block.ms", "5000"));
            context.addComponent("kafka", kafka);
            KafkaAnswerWait wait = KafkaAnswerWait.of(context);
            assertEquals(Duration.ofMinutes(15), wait.deliveryTimeout());
            assertEquals(Duration.ofSeconds(5), wait.maxBlock());
        }
    }
}
