package io.ingestobs.routes;

import io.ingestobs.camel.ConsumedBatch;
import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.LokiTestServer.Answer;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Endpoint;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.http.HttpEndpoint;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * routes/loki.yaml is Camel-native: the pushes go out through a camel-http endpoint (no second HTTP client in the
 * code), Camel's redelivery retries them (counted by Camel's own redelivery events) within LOKI_RETRY_MAX_MS and
 * after the delay Loki asks for, and camel-http's timeouts are Loki's. After a push that timed out, Loki is asked
 * over the same route what it holds, and only the rest is sent (issue 16).
 */
class LokiRedeliveryRouteTest extends RouteTestSupport {


    private final LokiTestServer loki;
    private final AtomicInteger redeliveries = new AtomicInteger();

    LokiRedeliveryRouteTest() throws Exception {
        loki = new LokiTestServer();
    }

    @AfterEach
    void stopLoki() {
        loki.close();
    }

    private void start(Map<String, String> overrides) throws Exception {
        Map<String, String> props = new HashMap<>(Map.of("loki.url", loki.url(), "loki.retry.initialBackoffMs", "20",
                "loki.retry.maxTimeMs", "3000"));
        props.putAll(overrides);
        load(props, "loki.yaml");
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeRedeliveryEvent) {
                    redeliveries.incrementAndGet();
                }
            }
        });
        context.start();
    }

    /** One push answered, so that what a test times is not the HTTP client's first connection. */
    private void warmUp() {
        template.sendBody("direct:loki-push", syntheticBatch(1));
    }

    private double requests(String status) {
        return samples("ingestion_loki_push_requests_total").stream()
                .filter(s -> status.equals(s.labels().get("status"))).mapToDouble(s -> s.value()).sum();
    }

    @Test
    void thePushGoesThroughACamelHttpEndpointAndNoOtherHttpClientIsInTheCode() throws Exception {
        start(Map.of());
        template.sendBody("direct:loki-push", syntheticBatch(3));

        assertEquals(3, loki.distinctLines().size());
        List<String> http = context.getEndpoints().stream().filter(e -> e instanceof HttpEndpoint)
                .map(Endpoint::getEndpointUri).toList();
        assertTrue(http.stream().anyMatch(uri -> uri.startsWith(loki.url())), "camel-http endpoints: " + http);
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            List<String> users = sources.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return Files.readString(f).contains("java.net.http");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(Path::toString).toList();
            assertEquals(List.of(), users, "a second HTTP client beside camel-http");
        }
    }

    @Test
    void camelHttpTimesOutAsLokiIsConfiguredAndNeverSendsAPushAgainByItself() throws Exception {
        start(Map.of("loki.requestTimeoutMs", "1234", "loki.pushConcurrency", "30"));
        HttpComponent http = context.getComponent("http", HttpComponent.class);
        assertEquals(1234, http.getResponseTimeout());
        assertEquals(1234, http.getConnectTimeout());
        assertEquals(1234, http.getConnectionRequestTimeout());
        assertTrue(http.isAutomaticRetriesDisabled(), "only the route's redelivery sends a push again");
        assertTrue(http.getConnectionsPerRoute() >= 31, "a connection for each push in flight and a query: "
                + http.getConnectionsPerRoute());
    }

    @Test
    void theRequestsOfABatchGoOutSideBySideOnCamelsPoolWhichStopsWithTheContext() throws Exception {
        start(Map.of("loki.batch.maxEntries", "2", "loki.pushConcurrency", "3"));
        loki.delayEachResponse(300);
        ConsumedBatch batch = syntheticBatch(12);

        template.sendBody("direct:loki-push", batch);

        assertEquals(12, loki.distinctLines().size(), "every request answered before the route returns");
        assertEquals(6, loki.requestCount());
        assertTrue(loki.maxRequestsInFlight() >= 2 && loki.maxRequestsInFlight() <= 3,
                "in flight at once: " + loki.maxRequestsInFlight());
        assertEquals(0, total("ingestion_loki_pending_entries"));
        java.util.concurrent.ExecutorService pushers = context.getRegistry()
                .lookupByNameAndType("lokiPushers", java.util.concurrent.ExecutorService.class);
        context.stop();
        assertTrue(pushers.isShutdown(), "Camel's pool, stopped with the context");
    }

    @Test
    void theCallerGoesOnOnItsOwnThreadOnceEveryRequestIsAnswered() throws Exception {
        load(Map.of("loki.url", loki.url(), "loki.batch.maxEntries", "2"), "loki.yaml");
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                // as the consumer route does: its commit must run on the Kafka consumer's thread
                from("direct:consumer-like").to("direct:loki-push")
                        .process(e -> threads.add(Thread.currentThread().getName()));
            }
        });
        context.start();
        loki.delayEachResponse(100);

        template.sendBody("direct:consumer-like", syntheticBatch(8));

        assertEquals(8, loki.distinctLines().size());
        assertEquals(List.of(Thread.currentThread().getName()), threads);
    }

    @Test
    void serverErrorsAreRetriedByCamelsRedelivery() throws Exception {
        start(Map.of());
        loki.answerNext(new Answer(503, "unavailable", null), new Answer(500, "boom", null));

        template.sendBody("direct:loki-push", syntheticBatch(4));

        assertEquals(4, loki.distinctLines().size());
        assertEquals(3, loki.requestCount());
        assertEquals(2, redeliveries.get(), "each retry is one of Camel's redeliveries");
    }

    @Test
    void redeliveryStopsWithinTheRetryBudget() throws Exception {
        start(Map.of("loki.retry.maxTimeMs", "1500", "loki.retry.maxBackoffMs", "400"));
        warmUp();
        loki.downFor(java.time.Duration.ofSeconds(60), 503);
        int before = loki.requestCount();

        long start = System.nanoTime();
        CamelExecutionException failure = assertThrows(CamelExecutionException.class,
                () -> template.sendBody("direct:loki-push", syntheticBatch(2)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertTrue(failure.getCause().getMessage().startsWith("Loki did not take 2 entries within PT1.5S"),
                failure.getCause().getMessage());
        assertTrue(tookMs >= 1000 && tookMs < 1500 + 1000, "gave up after " + tookMs + " ms");
        assertTrue(redeliveries.get() >= 3, "redeliveries: " + redeliveries.get());
        assertEquals(redeliveries.get() + 1, loki.requestCount() - before, "nothing sent after giving up");
    }

    @Test
    void aRetryAfterLongerThanTheBudgetGivesUpAtOnce() throws Exception {
        start(Map.of("loki.retry.maxTimeMs", "2000"));
        warmUp();
        loki.answerNext(new Answer(429, "Ingestion rate limit exceeded", "30"));

        long start = System.nanoTime();
        assertThrows(CamelExecutionException.class, () -> template.sendBody("direct:loki-push", syntheticBatch(2)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertTrue(tookMs < 1500, "waited " + tookMs + " ms for a retry it could not make in time");
        assertEquals(0, redeliveries.get());
    }

    @Test
    void aRetryAfterIsTheWaitBeforeTheNextAttempt() throws Exception {
        start(Map.of());
        warmUp();
        loki.answerNext(new Answer(429, "Ingestion rate limit exceeded", "2"));

        long start = System.nanoTime();
        template.sendBody("direct:loki-push", syntheticBatch(2));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(2, loki.distinctLines().size());
        assertEquals(1, redeliveries.get());
        assertTrue(tookMs >= 1950 && tookMs < 4000, "the backoff would be 20 ms; waited " + tookMs + " ms");
    }

    @Test
    void aPushThatTimedOutIsNotSentAgainWhenLokiHoldsIt() throws Exception {
        start(Map.of("loki.requestTimeoutMs", "500"));
        // Loki takes the push, then answers only after the client gave up waiting
        loki.stallNextPushes(1, 1500);
        ConsumedBatch batch = syntheticBatch(6);

        template.sendBody("direct:loki-push", batch);

        assertEquals(6, loki.distinctLines().size());
        assertEquals(6, loki.entriesReceived(), "each line received once: the timed-out push was not sent again");
        assertEquals(1, loki.requestCount());
        assertTrue(loki.queryCount() >= 2, "Loki asked what it holds, through the loki-query route");
        assertEquals(1, requests("error"), "the push that timed out");
        assertEquals(6, total("ingestion_loki_entries_already_stored_total"));
        assertEquals(6, total("ingestion_loki_entries_total"));
        assertEquals(List.of(), batch.getDeadLetters());
    }

    @Test
    void whileLokiAnswersNoQueryNothingIsPushedAgain() throws Exception {
        start(Map.of("loki.requestTimeoutMs", "300", "loki.retry.maxTimeMs", "1500"));
        loki.stallNextPushes(1, 3000);
        loki.stallQueries(true);

        assertThrows(CamelExecutionException.class, () -> template.sendBody("direct:loki-push", syntheticBatch(3)));

        assertEquals(1, loki.requestCount(), "no copy pushed into a Loki that does not answer");
        assertTrue(loki.queryCount() >= 2, "asked again while retrying: " + loki.queryCount());
        assertFalse(redeliveries.get() == 0);
    }
}
