package io.ingestobs.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.camel.ConsumedBatch;
import io.ingestobs.camel.OutgoingDeadLetter;
import io.ingestobs.domain.DeadLetter;
import io.ingestobs.domain.RejectReason;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * routes/dead-letters.yaml: each dead letter of a batch becomes one DLQ record of SPEC §2 (JSON, the original key),
 * counted by stage and reason once written, not before and not for a redelivered record.
 */
class DeadLetterRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-11-24T10:00:00Z");

    private MockEndpoint dlq;

    private void start() throws Exception {
        load(Map.of(), "dead-letters.yaml");
        AdviceWith.adviceWith(context, "dead-letter", a -> a.weaveByToUri("kafka:*").replace().to("mock:dlq"));
        context.start();
        dlq = getMockEndpoint("mock:dlq");
    }

    private static OutgoingDeadLetter letter(String stage, RejectReason reason, String key, boolean count) {
        return new OutgoingDeadLetter(new DeadLetter(stage, reason, "why " + reason.code(), "ingestion-logs",
                "ingestion-logs-0@7", "{\"original\":true}", key, AT), count);
    }

    private double counted(String stage, String reason) {
        return samples("ingestion_dead_letters_total").stream()
                .filter(s -> stage.equals(s.labels().get("stage")) && reason.equals(s.labels().get("reason")))
                .mapToDouble(s -> s.value()).sum();
    }

    @Test
    void eachLetterOfABatchIsOneDlqRecordWithItsKeyCountedByStageAndReason() throws Exception {
        start();
        dlq.expectedMessageCount(3);
        ConsumedBatch batch = new ConsumedBatch(List.of(), List.of(
                letter("consume", RejectReason.UNREADABLE_EVENT, "PowerBI", true),
                letter("loki", RejectReason.LOKI_REJECTED, null, true),
                // a record this process already counted, delivered again
                letter("loki", RejectReason.LOKI_REJECTED, "Efficy", false)), Map.of(), Map.of());

        template.sendBody("direct:batch-dead-letters", batch);

        dlq.assertIsSatisfied();
        JsonNode first = JSON.readTree(dlq.getExchanges().get(0).getMessage().getBody(byte[].class));
        assertEquals("consume", first.get("stage").asText());
        assertEquals("unreadable_event", first.get("reason").asText());
        assertEquals("why unreadable_event", first.get("error").asText());
        assertEquals("ingestion-logs", first.get("file").asText());
        assertEquals("ingestion-logs-0@7", first.get("position").asText());
        assertEquals("{\"original\":true}", first.get("original").asText());
        assertEquals("2026-11-24T10:00:00Z", first.get("at").asText());
        assertEquals("PowerBI", dlq.getExchanges().get(0).getMessage().getHeader(KafkaConstants.KEY));
        assertFalse(dlq.getExchanges().get(1).getMessage().getHeaders().containsKey(KafkaConstants.KEY),
                "no key when the original had none");
        assertEquals(1, counted("consume", "unreadable_event"));
        assertEquals(1, counted("loki", "loki_rejected"), "the redelivered letter is sent, not counted again");
    }

    @Test
    void aLetterTheDlqDoesNotTakeIsNotCountedAndFailsTheBatchSoItIsNotCommitted() throws Exception {
        start();
        dlq.whenExchangeReceived(2, e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("DLQ unreachable (test)");
        });
        ConsumedBatch batch = new ConsumedBatch(List.of(), List.of(
                letter("consume", RejectReason.UNREADABLE_EVENT, "a", true),
                letter("consume", RejectReason.UNREADABLE_EVENT, "b", true),
                letter("consume", RejectReason.UNREADABLE_EVENT, "c", true)), Map.of(), Map.of());

        assertThrows(Exception.class, () -> template.sendBody("direct:batch-dead-letters", batch));

        assertEquals(3, dlq.getReceivedCounter());
        assertEquals(2, counted("consume", "unreadable_event"), "the two letters written count, the refused one not");
    }
}
