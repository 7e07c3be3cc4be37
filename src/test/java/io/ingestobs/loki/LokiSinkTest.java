package io.ingestobs.loki;

import io.ingestobs.testsupport.LokiTestServer;
import io.ingestobs.testsupport.LokiTestServer.Answer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LokiSinkTest {

    private LokiTestServer loki;
    // synchronized: the sinks that send side by side wait on several threads
    private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws IOException {
        loki = new LokiTestServer();
    }

    @AfterEach
    void stop() {
        loki.close();
    }

    private LokiSettings settings(int maxEntries, int maxBytes, Duration retryBudget) {
        return new LokiSettings(loki.url(), null, null, null, null, maxEntries, maxBytes, 1000,
                Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(2), retryBudget);
    }

    private LokiSink sink(LokiSettings settings) {
        return new LokiSink(new HttpLokiClient(settings), settings, new LokiSinkMetrics(registry), waits::add);
    }

    private static List<LokiEntry> entries(int count) {
        return IntStream.range(0, count).mapToObj(i -> new LokiEntry(
                new LokiStream(i % 2 == 0 ? "PowerBI" : "Efficy", "SUCCESS", "1-Raw", "akonovia", "info"),
                1_757_932_200_000_000_000L + i, "{\"n\":" + i + "}", "PowerBI", "t-0@" + i)).toList();
    }

    private double counter(String name, String... tags) {
        var counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void deliversEveryEntryInBatchesBoundedByCount() {
        List<LokiSink.Refusal> refused = sink(settings(1000, 1 << 20, Duration.ofSeconds(5))).deliver(entries(2500));
        assertTrue(refused.isEmpty());
        assertEquals(2500, loki.entries().size());
        assertEquals(3, loki.requestCount());
        assertEquals(2500, counter("ingestion.loki.entries"));
        assertEquals(3, counter("ingestion.loki.push.requests", "status", "2xx"));
        assertEquals(0, registry.get("ingestion.loki.pending.entries").gauge().value());
    }

    @Test
    void batchesAreAlsoBoundedByBytes() {
        sink(settings(1000, 10 * 40, Duration.ofSeconds(5))).deliver(entries(100));
        assertEquals(100, loki.entries().size());
        assertTrue(loki.requestCount() >= 10, "requests: " + loki.requestCount());
    }

    @Test
    void streamsCarryTheSpecLabelsAndTheLineIsKeptAsIs() {
        sink(settings(1000, 1 << 20, Duration.ofSeconds(5))).deliver(entries(2));
        LokiTestServer.Entry first = loki.entries().get(0);
        assertEquals(Map.of("job", "ingestion-logs", "source", "PowerBI", "etat", "SUCCESS", "zone", "1-Raw",
                "entreprise", "akonovia", "level", "info"), first.labels());
        assertEquals("1757932200000000000", first.timestamp());
        assertEquals("{\"n\":0}", first.line());
    }

    @Test
    void aRateLimitIsRetriedAfterTheDelayLokiAsksFor() {
        loki.answerNext(new Answer(429, "Ingestion rate limit exceeded", "3"),
                new Answer(429, "Ingestion rate limit exceeded", "1"));
        sink(settings(1000, 1 << 20, Duration.ofSeconds(30))).deliver(entries(10));
        assertEquals(10, loki.entries().size());
        assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(1)), waits);
        assertEquals(2, counter("ingestion.loki.push.requests", "status", "429"));
    }

    @Test
    void serverErrorsAreRetriedWithGrowingBackoff() {
        loki.answerNext(new Answer(503, "unavailable", null), new Answer(500, "boom", null),
                new Answer(502, "bad gateway", null));
        sink(settings(1000, 1 << 20, Duration.ofSeconds(30))).deliver(entries(5));
        assertEquals(5, loki.entries().size());
        assertEquals(3, waits.size());
        assertTrue(waits.get(2).compareTo(waits.get(0)) > 0, "backoff grows: " + waits);
        assertEquals(3, counter("ingestion.loki.push.requests", "status", "5xx"));
    }

    @Test
    void whenLokiStaysDownPastTheBudgetNothingIsAcknowledged() {
        for (int i = 0; i < 50; i++) {
            loki.answerNext(new Answer(503, "unavailable", null));
        }
        LokiSink sink = sink(settings(1000, 1 << 20, Duration.ofMillis(700)));
        assertThrows(LokiUnavailableException.class, () -> sink.deliver(entries(5)));
        assertEquals(0, loki.entries().size());
        assertEquals(LokiSink.State.FAILING, sink.state());
        assertEquals(0, registry.get("ingestion.loki.pending.entries").gauge().value());
    }

    @Test
    void connectionRefusedCountsAsAnErrorAndIsRetried() {
        LokiSettings unreachable = new LokiSettings("http://127.0.0.1:1", null, null, null, null, 1000, 1 << 20,
                1000, Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMillis(500));
        LokiSink sink = new LokiSink(new HttpLokiClient(unreachable), unreachable, new LokiSinkMetrics(registry),
                waits::add);
        assertThrows(LokiUnavailableException.class, () -> sink.deliver(entries(1)));
        assertTrue(counter("ingestion.loki.push.requests", "status", "error") >= 2);
    }

    @Test
    void refusedEntriesAreIsolatedAndTheGoodOnesDeliveredByAStrictServer() {
        assertRefusedEntriesIsolated(LokiTestServer.PartialMode.STRICT);
    }

    @Test
    void refusedEntriesAreIsolatedWhenLokiKeepsTheValidOnes() {
        assertRefusedEntriesIsolated(LokiTestServer.PartialMode.LOKI);
    }

    private void assertRefusedEntriesIsolated(LokiTestServer.PartialMode mode) {
        loki.refuseLinesMatching(line -> line.equals("{\"n\":7}") || line.equals("{\"n\":42}"), mode);
        List<LokiSink.Refusal> refused = sink(settings(1000, 1 << 20, Duration.ofSeconds(5))).deliver(entries(64));
        assertEquals(List.of("{\"n\":7}", "{\"n\":42}"), refused.stream().map(r -> r.entry().line()).toList());
        assertTrue(refused.stream().allMatch(r -> r.cause() == LokiSink.Refusal.Cause.REFUSED_BY_LOKI));
        assertTrue(refused.get(0).answer().contains("400") && refused.get(0).answer().contains("too old"),
                refused.get(0).answer());
        assertEquals(62, loki.entries().size());
        assertFalse(loki.entries().stream().anyMatch(e -> e.line().equals("{\"n\":7}")));
        assertTrue(waits.isEmpty(), "a 400 is not retried as it is");
    }

    // --- requests side by side ------------------------------------------------------------------------------

    private final List<java.util.concurrent.ExecutorService> pools = new ArrayList<>();

    @AfterEach
    void stopPools() {
        pools.forEach(java.util.concurrent.ExecutorService::shutdownNow);
    }

    private java.util.concurrent.ExecutorService pool(int threads) {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        pools.add(pool);
        return pool;
    }

    private LokiSink concurrentSink(LokiSettings settings, int concurrency) {
        return new LokiSink(new HttpLokiClient(settings), settings, new LokiSinkMetrics(registry), waits::add,
                concurrency == 1 ? Runnable::run : pool(concurrency));
    }

    @Test
    void theRequestsOfACallGoOutSideBySideAndAllAreAnsweredBeforeItReturns() {
        loki.delayEachResponse(300);
        List<LokiSink.Refusal> refused = concurrentSink(settings(100, 1 << 20, Duration.ofSeconds(5)), 4)
                .deliver(entries(800));
        assertTrue(refused.isEmpty());
        assertEquals(800, loki.entries().size(), "every request answered when deliver returns");
        assertEquals(8, loki.requestCount());
        assertTrue(loki.maxRequestsInFlight() >= 2 && loki.maxRequestsInFlight() <= 4,
                "in flight at once: " + loki.maxRequestsInFlight());
        assertEquals(800, counter("ingestion.loki.entries"));
        assertEquals(0, registry.get("ingestion.loki.pending.entries").gauge().value());
    }

    @Test
    void oneConcurrencyKeepsOneRequestInFlight() {
        loki.delayEachResponse(50);
        concurrentSink(settings(100, 1 << 20, Duration.ofSeconds(5)), 1).deliver(entries(400));
        assertEquals(400, loki.entries().size());
        assertEquals(1, loki.maxRequestsInFlight());
    }

    @Test
    void sideBySideRefusalsAreIsolatedAndComeInTheOrderOfTheEntries() {
        loki.refuseLinesMatching(line -> line.equals("{\"n\":7}") || line.equals("{\"n\":342}"),
                LokiTestServer.PartialMode.STRICT);
        List<LokiSink.Refusal> refused = concurrentSink(settings(100, 1 << 20, Duration.ofSeconds(5)), 4)
                .deliver(entries(400));
        assertEquals(List.of("{\"n\":7}", "{\"n\":342}"), refused.stream().map(r -> r.entry().line()).toList());
        assertEquals(398, loki.distinctLines().size());
    }

    @Test
    void whenLokiStaysDownTheCallWaitsForEveryRequestThenFails() {
        loki.downFor(Duration.ofSeconds(30), 503);
        LokiSink sink = concurrentSink(settings(100, 1 << 20, Duration.ofMillis(700)), 4);
        assertThrows(LokiUnavailableException.class, () -> sink.deliver(entries(400)));
        int requests = loki.requestCount();
        assertTrue(requests >= 8, "every request tried, several times: " + requests);
        assertEquals(0, registry.get("ingestion.loki.pending.entries").gauge().value());
        assertEquals(requests, loki.requestCount(), "nothing still being sent after the call failed");
    }

    @Test
    void oneAtATimeACallWhoseRequestGaveUpSendsNoOtherAndCostsOneRetryBudget() {
        loki.downFor(Duration.ofSeconds(30), 503);
        LokiSink sink = concurrentSink(settings(100, 1 << 20, Duration.ofMillis(300)), 1);
        assertThrows(LokiUnavailableException.class, () -> sink.deliver(entries(400)));
        assertEquals(loki.requestCount(), loki.requestHeaders().size());
        assertEquals(0, loki.entriesReceived(), "Loki down: nothing stored");
        assertTrue(waits.size() == loki.requestCount() - 1, "only the first request was tried: " + waits.size()
                + " waits for " + loki.requestCount() + " requests");
    }

    @Test
    void aLineLongerThanLokiTakesIsRefusedBeforeSending() {
        List<LokiEntry> batch = new ArrayList<>(entries(3));
        batch.add(new LokiEntry(batch.get(0).stream(), 1L, "x".repeat(1001), null, "t-0@99"));
        List<LokiSink.Refusal> refused = sink(settings(1000, 1 << 20, Duration.ofSeconds(5))).deliver(batch);
        assertEquals(1, refused.size());
        assertEquals(LokiSink.Refusal.Cause.LINE_TOO_LONG, refused.get(0).cause());
        assertEquals(3, loki.entries().size());
    }

    @Test
    void sendsTheTenantHeaderAndBasicAuthButNeverPrintsTheSecret() {
        LokiSettings secured = new LokiSettings(loki.url(), "team-a", "user", "s3cret", null, 1000, 1 << 20, 1000,
                Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(5));
        new LokiSink(new HttpLokiClient(secured), secured, new LokiSinkMetrics(registry), waits::add)
                .deliver(entries(1));
        Map<String, String> headers = loki.requestHeaders().get(0);
        assertEquals("team-a", headers.get("x-scope-orgid"));
        assertEquals("Basic " + Base64.getEncoder().encodeToString("user:s3cret".getBytes()),
                headers.get("authorization"));
        assertFalse(secured.toString().contains("s3cret"));
    }

    @Test
    void sendsABearerTokenWhenGivenOne() {
        LokiSettings secured = new LokiSettings(loki.url(), null, null, null, "tok123", 1000, 1 << 20, 1000,
                Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(5));
        new LokiSink(new HttpLokiClient(secured), secured, new LokiSinkMetrics(registry), waits::add)
                .deliver(entries(1));
        assertEquals("Bearer tok123", loki.requestHeaders().get(0).get("authorization"));
        assertFalse(secured.toString().contains("tok123"));
    }

    /**
     * A Loki that stores what it gets; its first {@code unansweredPushes} pushes get no answer (a timeout after the
     * request went out), of which it stored only the first {@code keptOfUnanswered} entries.
     */
    private static final class StallingLoki implements LokiClient {
        final List<List<String>> pushes = Collections.synchronizedList(new ArrayList<>());
        final java.util.Set<String> stored = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final List<LokiEntry> all;
        int unansweredPushes;
        final int keptOfUnanswered;
        int queries;

        StallingLoki(List<LokiEntry> all, int unansweredPushes, int keptOfUnanswered) {
            this.all = all;
            this.unansweredPushes = unansweredPushes;
            this.keptOfUnanswered = keptOfUnanswered;
        }

        @Override
        public synchronized LokiResponse push(java.nio.ByteBuffer body) {
            String text = java.nio.charset.StandardCharsets.UTF_8.decode(body.duplicate()).toString();
            List<String> lines = all.stream().map(LokiEntry::line)
                    .filter(l -> text.contains(l.replace("\"", "\\\""))).toList();
            pushes.add(lines);
            if (unansweredPushes > 0) {
                unansweredPushes--;
                stored.addAll(lines.subList(0, Math.min(keptOfUnanswered, lines.size())));
                return LokiResponse.unanswered("HttpTimeoutException: request timed out");
            }
            stored.addAll(lines);
            return new LokiResponse(204, "", java.util.Optional.empty());
        }

        @Override
        public synchronized java.util.Optional<java.util.Set<LokiEntry>> alreadyStored(List<LokiEntry> entries) {
            queries++;
            return java.util.Optional.of(entries.stream().filter(e -> stored.contains(e.line()))
                    .collect(java.util.stream.Collectors.toSet()));
        }
    }

    private LokiSink sink(LokiClient client) {
        LokiSettings settings = settings(1000, 1 << 20, Duration.ofSeconds(30));
        return new LokiSink(client, settings, new LokiSinkMetrics(registry), waits::add);
    }

    @Test
    void aPushLokiStoredWithoutAnsweringIsNotSentAgain() {
        List<LokiEntry> entries = entries(100);
        StallingLoki stalling = new StallingLoki(entries, 1, 100);
        assertTrue(sink(stalling).deliver(entries).isEmpty());
        assertEquals(1, stalling.pushes.size(), "pushes: " + stalling.pushes.size());
        assertEquals(100, counter("ingestion.loki.entries"));
        assertEquals(100, counter("ingestion.loki.entries.already.stored"));
        assertTrue(stalling.queries >= 2, "asked once Loki answers, then again a moment later");
    }

    @Test
    void onlyTheEntriesLokiDoesNotHaveAreSentAgain() {
        List<LokiEntry> entries = entries(100);
        StallingLoki stalling = new StallingLoki(entries, 1, 30);
        assertTrue(sink(stalling).deliver(entries).isEmpty());
        assertEquals(2, stalling.pushes.size());
        assertEquals(entries.subList(30, 100).stream().map(LokiEntry::line).toList(), stalling.pushes.get(1));
        assertEquals(100, stalling.stored.size());
        assertEquals(100, counter("ingestion.loki.entries"));
        assertEquals(30, counter("ingestion.loki.entries.already.stored"));
    }

    @Test
    void aClientThatCannotAskSendsTheWholePushAgain() {
        List<LokiEntry> entries = entries(10);
        List<Integer> pushes = new ArrayList<>();
        LokiClient blind = body -> {
            pushes.add(body.remaining());
            return pushes.size() == 1 ? LokiResponse.unanswered("timeout")
                    : new LokiResponse(204, "", java.util.Optional.empty());
        };
        LokiSettings settings = settings(1000, 1 << 20, Duration.ofSeconds(5));
        assertTrue(new LokiSink(blind, settings, new LokiSinkMetrics(registry), waits::add).deliver(entries)
                .isEmpty());
        assertEquals(2, pushes.size());
        assertEquals(pushes.get(0), pushes.get(1), "the same push, whole");
        assertEquals(10, counter("ingestion.loki.entries"));
    }

    @Test
    void whileLokiDoesNotAnswerTheQueryNothingIsPushedAgain() {
        List<LokiEntry> entries = entries(10);
        List<Integer> pushes = new ArrayList<>();
        int[] queries = {0};
        LokiClient stalled = new LokiClient() {
            @Override
            public LokiResponse push(java.nio.ByteBuffer body) {
                pushes.add(body.remaining());
                return LokiResponse.unanswered("timeout");
            }

            @Override
            public java.util.Optional<java.util.Set<LokiEntry>> alreadyStored(List<LokiEntry> batch) {
                queries[0]++;
                return java.util.Optional.empty();
            }
        };
        LokiSettings settings = settings(1000, 1 << 20, Duration.ofMillis(500));
        LokiSink sink = new LokiSink(stalled, settings, new LokiSinkMetrics(registry), waits::add);
        assertThrows(LokiUnavailableException.class, () -> sink.deliver(entries));
        assertEquals(1, pushes.size(), "no copy queued in a Loki that does not answer");
        assertTrue(queries[0] > 1, "asked again while waiting: " + queries[0]);
    }

    @Test
    void redeliveredEntriesLokiHoldsAlreadyAreNotSentAgain() {
        List<LokiEntry> entries = entries(100);
        StallingLoki loki = new StallingLoki(entries, 0, 0);
        entries.subList(0, 30).forEach(e -> loki.stored.add(e.line()));
        // 40 come again from Kafka, of which Loki holds 30 (their first push went through, their batch did not)
        assertTrue(sink(loki).deliver(entries, java.util.Set.copyOf(entries.subList(0, 40))).isEmpty());
        assertEquals(1, loki.pushes.size());
        assertEquals(entries.subList(30, 100).stream().map(LokiEntry::line).toList(), loki.pushes.get(0));
        assertEquals(30, counter("ingestion.loki.entries.already.stored"));
        assertEquals(70, counter("ingestion.loki.entries"));
        assertEquals(0, registry.get("ingestion.loki.pending.entries").gauge().value());
    }

    // --- health from requests side by side -----------------------------------------------------------------

    @Test
    void aRequestThatSucceedsDoesNotHideOneStillFailingBesideIt() throws Exception {
        java.util.concurrent.CountDownLatch firstFailed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch secondAnswered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        LokiSettings settings = settings(1, 1 << 20, Duration.ofSeconds(30));
        // the request of entry 0 gets a 503 once; the one of entry 1 is answered 204 while the first waits to retry
        LokiClient client = body -> {
            String text = java.nio.charset.StandardCharsets.UTF_8.decode(body.duplicate()).toString();
            if (text.contains("n\\\":0") && attempts.getAndIncrement() == 0) {
                return new LokiResponse(503, "unavailable", java.util.Optional.empty());
            }
            if (text.contains("n\\\":1")) {
                try {
                    firstFailed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                secondAnswered.countDown();
            }
            return new LokiResponse(204, "", java.util.Optional.empty());
        };
        LokiSink sink = new LokiSink(client, settings, new LokiSinkMetrics(registry), wait -> {
            firstFailed.countDown();
            released.await();
        }, pool(2));
        java.util.concurrent.CompletableFuture<List<LokiSink.Refusal>> call =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> sink.deliver(entries(2)));

        assertTrue(secondAnswered.await(10, java.util.concurrent.TimeUnit.SECONDS));
        Thread.sleep(50);
        assertEquals(LokiSink.State.FAILING, sink.state(), "one request is still waiting to retry");

        released.countDown();
        assertEquals(List.of(), call.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(LokiSink.State.IDLE, sink.state());
    }

    @Test
    void afterAGiveUpTheSinkStaysFailingUntilLokiAnswersAgain() {
        loki.downFor(Duration.ofSeconds(30), 503);
        LokiSink sink = concurrentSink(settings(100, 1 << 20, Duration.ofMillis(300)), 4);
        assertThrows(LokiUnavailableException.class, () -> sink.deliver(entries(400)));
        assertEquals(LokiSink.State.FAILING, sink.state(), "no request in flight, but the last outcome failed");
        loki.downFor(Duration.ZERO, 503);
        sink.deliver(entries(1));
        assertEquals(LokiSink.State.IDLE, sink.state());
    }
}
