package io.ingestobs.routes;

import io.ingestobs.camel.ConsumedBatch;
import io.ingestobs.camel.OutgoingDeadLetter;
import io.ingestobs.domain.RejectReason;
import io.ingestobs.launcher.EmbeddedKafkaBroker;
import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.LokiTestServer.Answer;
import io.ingestobs.testsupport.LokiTestServer.PartialMode;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * routes/loki.yaml against a server that speaks Loki's push protocol: what Loki takes, what it refuses (isolated
 * by splitting, then handed to the DLQ), what is retried (429 with Retry-After, 5xx) and what is given back to
 * Kafka uncommitted (Loki unreachable past LOKI_RETRY_MAX_MS).
 */
class LokiRouteTest extends RouteTestSupport {


    private final LokiTestServer loki;

    LokiRouteTest() throws Exception {
        loki = new LokiTestServer();
    }

    @AfterEach
    void stopLoki() {
        loki.close();
    }

    private void start(String url, Map<String, String> overrides) throws Exception {
        Map<String, String> props = new HashMap<>(Map.of("loki.url", url, "loki.retry.initialBackoffMs", "20",
                "loki.retry.maxTimeMs", "3000"));
        props.putAll(overrides);
        load(props, "loki.yaml");
        context.start();
    }

    private double requests(String status) {
        return samples("ingestion_loki_push_requests_total").stream()
                .filter(s -> status.equals(s.labels().get("status"))).mapToDouble(s -> s.value()).sum();
    }

    private HealthCheck.State health() {
        return context.getRegistry().lookupByNameAndType("lokiHealth", HealthCheck.class).call().getState();
    }

    @Test
    void a2xxAnswerDeliversEveryLineWithTheTenantAndAuthHeaders() throws Exception {
        start(loki.url(), Map.of("loki.tenantId", "team-data", "loki.bearerToken", "s3cret"));
        ConsumedBatch batch = syntheticBatch(5);

        template.sendBody("direct:loki-push", batch);

        assertEquals(5, loki.distinctLines().size());
        assertEquals(batch.getEvents().stream().map(e -> new String(e.bytes(), java.nio.charset.StandardCharsets.UTF_8))
                .collect(Collectors.toSet()), loki.distinctLines(), "the line is the event's bytes");
        assertEquals(List.of(), batch.getDeadLetters());
        assertEquals(1, requests("2xx"));
        assertEquals(5, total("ingestion_loki_entries_total"));
        assertEquals(0, total("ingestion_loki_pending_entries"));
        Map<String, String> headers = loki.requestHeaders().get(0);
        assertEquals("team-data", headers.get("x-scope-orgid"));
        assertEquals("Bearer s3cret", headers.get("authorization"));
        assertEquals(HealthCheck.State.UP, health());
    }

    @Test
    void a400IsSplitUntilTheRefusedLinesStandAloneAndOnlyThoseGoToTheDlq() throws Exception {
        start(loki.url(), Map.of());
        // a strict server stores nothing of a push it answers 400: the good lines get through only by splitting
        loki.refuseLinesMatching(line -> line.contains("\"run 3\"") || line.contains("\"run 6\""), PartialMode.STRICT);
        ConsumedBatch batch = syntheticBatch(8);

        template.sendBody("direct:loki-push", batch);

        assertEquals(6, loki.distinctLines().size());
        List<OutgoingDeadLetter> letters = batch.getDeadLetters();
        assertEquals(2, letters.size());
        for (OutgoingDeadLetter letter : letters) {
            assertEquals(RejectReason.LOKI_REJECTED, letter.letter().reason());
            assertEquals("loki", letter.letter().stage());
            assertTrue(letter.letter().error().startsWith("Loki answered 400: "), letter.letter().error());
            assertTrue(letter.letter().error().contains("timestamp too old"), "Loki's answer is kept");
        }
        assertEquals(Set.of("ingestion-logs-0@3", "ingestion-logs-0@6"),
                letters.stream().map(l -> l.letter().position()).collect(Collectors.toSet()));
        assertTrue(requests("400") >= 4, "8 -> 4+4 -> 2+2+2+2 -> the two refused ones alone");
        assertEquals(HealthCheck.State.UP, health(), "a refusal is an answer Loki meant, not an outage");
    }

    @Test
    void a429IsRetriedAfterTheDelayLokiAsksFor() throws Exception {
        start(loki.url(), Map.of());
        loki.answerNext(new Answer(429, "Ingestion rate limit exceeded", "1"));
        ConsumedBatch batch = syntheticBatch(3);

        long start = System.nanoTime();
        template.sendBody("direct:loki-push", batch);
        long waitedMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(3, loki.distinctLines().size());
        assertEquals(1, requests("429"));
        assertEquals(1, requests("2xx"));
        // the backoff would be 20 ms: the second attempt waited for Retry-After (1 s)
        assertTrue(waitedMs >= 950, "retried after " + waitedMs + " ms");
        assertEquals(List.of(), batch.getDeadLetters());
    }

    @Test
    void a5xxIsRetriedWithBackoffUntilLokiTakesTheBatch() throws Exception {
        start(loki.url(), Map.of());
        loki.answerNext(new Answer(500, "internal error", null), new Answer(502, "bad gateway", null));
        ConsumedBatch batch = syntheticBatch(4);

        template.sendBody("direct:loki-push", batch);

        assertEquals(4, loki.distinctLines().size());
        assertEquals(2, requests("5xx"));
        assertEquals(1, requests("2xx"));
        assertEquals(List.of(), batch.getDeadLetters(), "a server error is never the entries' fault");
    }

    @Test
    void lokiUnreachablePastTheRetryBudgetHandsTheBatchBackUnacknowledged() throws Exception {
        int closed = EmbeddedKafkaBroker.freePort();
        start("http://127.0.0.1:" + closed, Map.of("loki.retry.maxTimeMs", "300"));
        ConsumedBatch batch = syntheticBatch(3);

        CamelExecutionException failure = assertThrows(CamelExecutionException.class,
                () -> template.sendBody("direct:loki-push", batch));

        assertTrue(failure.getCause().getMessage().startsWith("Loki did not take 3 entries"),
                failure.getCause().getMessage());
        assertTrue(requests("error") >= 2, "connection refused is counted as status=error, and retried");
        assertEquals(List.of(), batch.getDeadLetters(), "nothing refused: the batch comes again from Kafka");
        assertEquals(0, total("ingestion_loki_pending_entries"));
        assertEquals(HealthCheck.State.DOWN, health());
    }

    @Test
    void withoutLokiUrlTheRouteLetsBatchesThroughAndHealthSaysOff() throws Exception {
        start("", Map.of());
        ConsumedBatch batch = syntheticBatch(3);

        template.sendBody("direct:loki-push", batch);

        assertEquals(0, loki.requestCount());
        assertEquals(List.of(), batch.getDeadLetters());
        HealthCheck check = context.getRegistry().lookupByNameAndType("lokiHealth", HealthCheck.class);
        assertEquals(HealthCheck.State.UP, check.call().getState());
        assertEquals("off (LOKI_URL unset)", check.call().getDetails().get("loki"));
    }
}
