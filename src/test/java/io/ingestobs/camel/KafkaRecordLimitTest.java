package io.ingestobs.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaRecordLimitTest {

    @Test
    void theLimitIsTheKafkaComponentsMaxRequestSize() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            assertEquals(1_048_576, KafkaRecordLimit.of(context).maxRequestSize(), "Kafka's default");
            context.getComponent("kafka", KafkaComponent.class).getConfiguration().setMaxRequestSize(200_000);
            assertEquals(200_000, KafkaRecordLimit.of(context).maxRequestSize());
            context.getComponent("kafka", KafkaComponent.class).getConfiguration()
                    .setAdditionalProperties(Map.of("max.request.size", "5000"));
            assertEquals(5000, KafkaRecordLimit.of(context).maxRequestSize(), "additional properties win, as in the client");
        }
    }

    @Test
    void theSizeCountsKeyValueAndTheHeadersCamelPropagates() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            KafkaRecordLimit limit = KafkaRecordLimit.of(context);
            Exchange exchange = new DefaultExchange(context);
            byte[] value = new byte[10_000];
            int bare = limit.sizeOf(exchange, null, value);
            assertTrue(bare > 10_000 && bare < 10_100, "value and the batch's envelope: " + bare);
            assertEquals(bare + 7, limit.sizeOf(exchange, "PowerBI", value));
            // headers Camel keeps to itself do not reach Kafka
            exchange.getMessage().setHeader("CamelFileName", "x".repeat(5000));
            exchange.getMessage().setHeader("kafka.KEY", "PowerBI");
            assertEquals(bare, limit.sizeOf(exchange, null, value));
            // one it propagates does
            exchange.getMessage().setHeader("ingestionFile", "/data/input/" + "x".repeat(988));
            assertTrue(limit.sizeOf(exchange, null, value) >= bare + 1000 + "ingestionFile".length());
            assertTrue(limit.fits(exchange, null, new byte[1_000_000]));
            assertFalse(limit.fits(exchange, null, new byte[1_048_576]));
        }
    }
}
