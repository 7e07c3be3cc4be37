package io.ingestobs.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * routes/producer.yaml with routes/dead-letters.yaml on a small JSON Lines file: valid runs to the topic keyed by
 * source, invalid records to the DLQ with their reason and position, a record the topic refuses as too large to the
 * DLQ without stopping the file, and the producer's summary accounting for every record.
 */
class ProducerRouteTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String run(int id, String source, String debut) {
        return "{\"id\":" + id + ",\"Source\":\"" + source + "\",\"Objet\":\"workspaces\",\"Etat\":\"success\","
                + "\"Debut\":\"" + debut + "\",\"Fin\":\"2025-09-15 10:30:00.000\",\"zone\":\"1-Raw\","
                + "\"entreprise\":\"akonovia\"}";
    }

    @Test
    void validRunsGoToTheTopicInvalidOnesAndTheTooLargeToTheDlqAndTheSummaryAccountsForAll() throws Exception {
        Path file = temp.resolve("runs.jsonl");
        Files.writeString(file, String.join("\n",
                run(1, "PowerBI", "2025-09-15 10:29:58.846"),
                "{\"id\":2,\"Objet\":\"x\",\"Etat\":\"SUCCESS\",\"Fin\":\"2025-09-15 10:30:00\"}",
                run(3, "Efficy", "15/09/2025 10h"),
                run(4, "zohobooks", "2025-09-15 10:29:00.000"),
                run(5, "EasyProjects", "2025-09-15 10:28:00.000")) + "\n");
        load(Map.of("input.file", file.toString()), "producer.yaml", "dead-letters.yaml");
        AdviceWith.adviceWith(context, "publish-group",
                a -> a.weaveByToUri("kafka:*").replace().to("mock:topic"));
        AdviceWith.adviceWith(context, "dead-letter", a -> a.weaveByToUri("kafka:*").replace().to("mock:dlq"));
        MockEndpoint topic = getMockEndpoint("mock:topic");
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        // as camel-kafka answers a list body: each event's own outcome on its exchange; the broker refuses the
        // second valid run (its topic's limit is below the producer's)
        KafkaAnswers kafka = new KafkaAnswers(event -> "zohobooks".equals(event.getHeader(KafkaConstants.KEY))
                ? new RecordTooLargeException("The message is 2000000 bytes (test)") : null);
        topic.whenAnyExchangeReceived(kafka::answer);
        topic.expectedMessageCount(1);
        dlq.expectedMessageCount(3);
        // the timer's exchange, not one of the split's per-record copies
        NotifyBuilder fileDone = new NotifyBuilder(context).fromRoute("read-input")
                .filter(e -> e.getProperty(Exchange.SPLIT_INDEX) == null).whenDone(1).create();

        context.start();

        assertTrue(fileDone.matches(10, TimeUnit.SECONDS), "the timer read the file once");
        MockEndpoint.assertIsSatisfied(topic, dlq);
        List<Message> sent = kafka.sent();
        List<String> keys = sent.stream().map(e -> e.getHeader(KafkaConstants.KEY, String.class)).toList();
        assertEquals(List.of("PowerBI", "zohobooks", "EasyProjects"), keys);
        JsonNode event = JSON.readTree(sent.get(0).getBody(byte[].class));
        assertEquals("SUCCESS", event.get("etat").asText());
        assertEquals("2025-09-15T10:30:00.000Z", event.get("@timestamp").asText());

        List<JsonNode> letters = dlq.getExchanges().stream()
                .map(e -> readTree(e.getMessage().getBody(byte[].class))).toList();
        assertEquals(List.of("missing_field", "bad_timestamp", "too_large"),
                letters.stream().map(l -> l.get("reason").asText()).toList());
        assertEquals(List.of("read", "read", "read"), letters.stream().map(l -> l.get("stage").asText()).toList());
        assertEquals(List.of("line 2", "line 3", "line 4"),
                letters.stream().map(l -> l.get("position").asText()).toList());

        assertTrue(summary.isFinished());
        assertEquals(5, summary.readCount());
        assertEquals(2, summary.publishedCount(), "the too-large one was refused by the topic");
        assertEquals(3, summary.rejectedCount());
        assertEquals(5, total("ingestion_records_read_total"));
        assertEquals(2, total("ingestion_records_published_total"));
        assertEquals(3, total("ingestion_dead_letters_total"));
    }

    private static JsonNode readTree(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
