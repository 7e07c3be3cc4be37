package io.ingestobs.loki;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Loki sink's decisions, driven as routes/loki.yaml drives them (beforeAttempt, then Loki's answer; a retryable
 * answer throws, and the route's redelivery calls beforeAttempt again): batching, the retry decision and budget,
 * health from requests side by side, splitting, and what Loki is asked after a push that got no answer (issue 16).
 * The route itself, over HTTP, is in LokiRouteTest and LokiRedeliveryRouteTest.
 */
class LokiSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LokiResponse OK = new LokiResponse(204, "", Optional.empty());

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
    /** What the fake Loki answers to queries: the lines it holds, or no answer at all. */
    private final Set<String> stored = ConcurrentHashMap.newKeySet();
    private volatile boolean queriesAnswered = true;
    private int queries;

    private LokiSettings settings(int maxEntries, int maxBytes, Duration retryBudget) {
        return new LokiSettings("http://loki", null, null, null, null, maxEntries, maxBytes, 1000,
                Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(2), retryBudget);
    }

    private LokiSink sink(LokiSettings settings) {
        return new LokiSink(settings, new LokiSinkMetrics(registry), new LokiStoredEntries(this::query), waits::add);
    }

    private LokiSink sink() {
        return sink(settings(1000, 1 << 20, Duration.ofSeconds(30)));
    }

    private synchronized LokiResponse query(String queryString) {
        queries++;
        if (!queriesAnswered) {
            return LokiResponse.noAnswer("HttpTimeoutException: request timed out");
        }
        ObjectNode root = JSON.createObjectNode();
        ArrayNode values = root.putObject("data").putArray("result").addObject().putArray("values");
        for (String entry : stored) {
            String[] timeAndLine = entry.split("\n", 2);
            values.addArray().add(timeAndLine[0]).add(timeAndLine[1]);
        }
        return new LokiResponse(200, root.toString(), Optional.empty());
    }

    private void store(LokiEntry entry) {
        stored.add(entry.epochNanos() + "\n" + entry.line());
    }

    private static List<LokiEntry> entries(int count) {
        return IntStream.range(0, count).mapToObj(i -> new LokiEntry(
                new LokiStream(i % 2 == 0 ? "PowerBI" : "Efficy", "SUCCESS", "1-Raw", "akonovia", "info"),
                1_757_932_200_000_000_000L + i, "{\"n\":" + i + "}", "PowerBI", "t-0@" + i)).toList();
    }

    private static String text(ByteBuffer body) {
        return StandardCharsets.UTF_8.decode(body.duplicate()).toString();
    }

    private static List<String> linesIn(ByteBuffer body, List<LokiEntry> of) {
        String text = text(body);
        return of.stream().map(LokiEntry::line).filter(l -> text.contains("\"" + l.replace("\"", "\\\"") + "\""))
                .toList();
    }

    private double counter(String name, String... tags) {
        var counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private double pending() {
        return registry.get("ingestion.loki.pending.entries").gauge().value();
    }

    // --- batching ------------------------------------------------------------------------------------------------

    @Test
    void requestsAreBoundedByCountAndEveryEntryIsInOne() {
        LokiCall call = sink().start(entries(2500), Set.of());
        assertEquals(List.of(1000, 1000, 500), call.requests().stream().map(LokiRequest::size).toList());
        assertEquals(2500, pending(), "pending until the call is released");
    }

    @Test
    void requestsAreAlsoBoundedByBytes() {
        LokiCall call = sink(settings(1000, 10 * 40, Duration.ofSeconds(5))).start(entries(100), Set.of());
        assertTrue(call.requests().size() >= 10, "requests: " + call.requests().size());
        assertEquals(100, call.requests().stream().mapToInt(LokiRequest::size).sum());
    }

    @Test
    void theBodyCarriesTheSpecLabelsAndTheLineAsIs() {
        LokiSink sink = sink();
        LokiRequest request = sink.start(entries(2), Set.of()).requests().get(0);
        String body = text(sink.beforeAttempt(request));
        assertTrue(body.contains("{\"stream\":{\"job\":\"ingestion-logs\",\"source\":\"PowerBI\",\"etat\":\"SUCCESS\","
                + "\"zone\":\"1-Raw\",\"entreprise\":\"akonovia\",\"level\":\"info\"},\"values\":[[\"1757932200000000000\","
                + "\"{\\\"n\\\":0}\"]]}"), body);
    }

    @Test
    void aLineLongerThanLokiTakesIsRefusedBeforeSending() {
        List<LokiEntry> batch = new ArrayList<>(entries(3));
        batch.add(new LokiEntry(batch.get(0).stream(), 1L, "x".repeat(1001), null, "t-0@99"));
        LokiSink sink = sink();
        LokiCall call = sink.start(batch, Set.of());
        assertEquals(3, call.requests().get(0).size());
        for (LokiRequest request : call.requests()) {
            sink.beforeAttempt(request);
            sink.answered(request, OK);
        }
        List<LokiDelivery.Refusal> refused = sink.finish(call);
        assertEquals(1, refused.size());
        assertEquals(LokiDelivery.Refusal.Cause.LINE_TOO_LONG, refused.get(0).cause());
        sink.release(call);
        sink.release(call);
        assertEquals(0, pending(), "released once, however often asked");
    }

    // --- the retry decision ----------------------------------------------------------------------------------------

    @Test
    void busyFailingOrSilentLokiIsRetriedRefusedContentIsNot() {
        for (int status : new int[] {0, 429, 500, 502, 503, 504}) {
            assertTrue(new LokiResponse(status, "", Optional.empty()).retryable(), "status " + status);
        }
        for (int status : new int[] {400, 413, 422}) {
            LokiResponse refused = new LokiResponse(status, "", Optional.empty());
            assertFalse(refused.retryable(), "status " + status);
            assertTrue(refused.refusedContent());
        }
        assertTrue(OK.accepted());
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        Instant now = Instant.parse("2026-11-30T10:00:00Z");
        assertEquals(Optional.of(Duration.ofSeconds(3)), LokiResponse.parseRetryAfter(" 3 ", now));
        assertEquals(Optional.of(Duration.ofSeconds(90)),
                LokiResponse.parseRetryAfter("Mon, 30 Nov 2026 10:01:30 GMT", now));
        assertEquals(Optional.empty(), LokiResponse.parseRetryAfter("soon", now));
    }

    @Test
    void aRetryableAnswerThrowsForTheRoutesRedeliveryAndIsCountedByStatus() {
        LokiSink sink = sink();
        LokiRequest request = sink.start(entries(5), Set.of()).requests().get(0);
        sink.beforeAttempt(request);
        LokiRetryableException retry = assertThrows(LokiRetryableException.class,
                () -> sink.answered(request, LokiResponse.of(429, "Ingestion rate limit exceeded", "3")));
        assertEquals(Optional.of(Duration.ofSeconds(3)), retry.response().retryAfter());
        assertEquals(1, counter("ingestion.loki.push.requests", "status", "429"));
        assertEquals(LokiDelivery.State.FAILING, sink.state());
        sink.beforeAttempt(request);
        assertEquals(LokiSink.Outcome.ACCEPTED, sink.answered(request, OK));
        assertEquals(5, counter("ingestion.loki.entries"));
        assertEquals(LokiDelivery.State.IDLE, sink.state());
    }

    @Test
    void theRetryBudgetBoundsTheWaitsIncludingTheOneLokiAsksFor() {
        LokiSink sink = sink(settings(1000, 1 << 20, Duration.ofSeconds(10)));
        LokiRequest request = sink.start(entries(1), Set.of()).requests().get(0);
        sink.beforeAttempt(request);
        assertThrows(LokiRetryableException.class, () -> sink.answered(request, LokiResponse.of(503, "", null)));
        assertTrue(sink.retryAllowed(request, 1), "100 ms of backoff fits in 10 s");
        sink.beforeAttempt(request);
        assertThrows(LokiRetryableException.class, () -> sink.answered(request, LokiResponse.of(429, "", "30")));
        assertFalse(sink.retryAllowed(request, 2), "Loki asks for 30 s, past the 10 s budget: give up now");
    }

    @Test
    void theNominalBackoffDoublesUpToItsCap() {
        LokiSink sink = sink();
        assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 2000L, 2000L),
                IntStream.rangeClosed(1, 7).mapToObj(n -> sink.backoff(n).toMillis()).toList());
    }

    // --- refusals --------------------------------------------------------------------------------------------------

    @Test
    void refusedContentIsSplitUntilTheRefusedEntriesStandAloneAndComeBackInEntryOrder() {
        LokiSink sink = sink();
        List<LokiEntry> entries = entries(8);
        LokiCall call = sink.start(entries, Set.of());
        List<LokiRequest> queue = new ArrayList<>(call.requests());
        int requests = 0;
        while (!queue.isEmpty()) {
            LokiRequest request = queue.remove(queue.size() - 1);
            requests++;
            List<String> lines = linesIn(sink.beforeAttempt(request), entries);
            boolean refused = lines.contains("{\"n\":6}") || lines.contains("{\"n\":1}");
            LokiSink.Outcome outcome = sink.answered(request, refused
                    ? new LokiResponse(400, "entry has timestamp too old", Optional.empty()) : OK);
            if (outcome == LokiSink.Outcome.SPLIT) {
                queue.addAll(sink.halves(request));
            }
        }
        List<LokiDelivery.Refusal> refusals = sink.finish(call);
        assertEquals(List.of("{\"n\":1}", "{\"n\":6}"), refusals.stream().map(r -> r.entry().line()).toList());
        assertEquals("Loki answered 400: entry has timestamp too old", refusals.get(0).answer());
        assertEquals(6, counter("ingestion.loki.entries"));
        assertTrue(requests >= 7, "8 -> 4+4 -> 2+2+2+2 -> the refused ones alone: " + requests);
        assertEquals(LokiDelivery.State.IDLE, sink.state(), "a refusal is an answer Loki meant");
        assertTrue(waits.isEmpty(), "a 400 is not retried as it is");
    }

    // --- a call whose request gave up ------------------------------------------------------------------------------

    @Test
    void onceARequestGaveUpTheOthersAreNotSentAndTheCallFails() {
        LokiSink sink = sink(settings(100, 1 << 20, Duration.ofMillis(300)));
        LokiCall call = sink.start(entries(300), Set.of());
        LokiRequest first = call.requests().get(0);
        sink.beforeAttempt(first);
        assertThrows(LokiRetryableException.class, () -> sink.answered(first, LokiResponse.of(503, "down", null)));
        sink.gaveUp(first);
        assertNull(sink.beforeAttempt(call.requests().get(1)), "not sent: the call fails anyway");
        assertEquals(LokiSink.Outcome.SKIPPED, sink.outcome(call.requests().get(1)));
        LokiUnavailableException failure = assertThrows(LokiUnavailableException.class, () -> sink.finish(call));
        assertEquals("Loki did not take 300 entries within PT0.3S; last answer: Loki answered 5xx: down",
                failure.getMessage());
        assertEquals(LokiDelivery.State.FAILING, sink.state(), "no request in flight, but the last outcome failed");
        sink.release(call);
        assertEquals(0, pending());

        LokiRequest later = sink.start(entries(1), Set.of()).requests().get(0);
        sink.beforeAttempt(later);
        sink.answered(later, OK);
        assertEquals(LokiDelivery.State.IDLE, sink.state(), "Loki answered again");
    }

    @Test
    void aRequestThatSucceedsDoesNotHideOneStillFailingBesideIt() {
        LokiSink sink = sink(settings(1, 1 << 20, Duration.ofSeconds(30)));
        LokiCall call = sink.start(entries(2), Set.of());
        LokiRequest failing = call.requests().get(0);
        LokiRequest succeeding = call.requests().get(1);
        sink.beforeAttempt(failing);
        sink.beforeAttempt(succeeding);
        assertThrows(LokiRetryableException.class, () -> sink.answered(failing, LokiResponse.of(503, "", null)));
        sink.answered(succeeding, OK);
        assertEquals(LokiDelivery.State.FAILING, sink.state(), "one request is still waiting to retry");
        sink.beforeAttempt(failing);
        sink.answered(failing, OK);
        assertEquals(LokiDelivery.State.IDLE, sink.state());
    }

    // --- after a push that got no answer (issue 16) -----------------------------------------------------------------

    @Test
    void aPushLokiStoredWithoutAnsweringIsNotSentAgain() {
        LokiSink sink = sink();
        List<LokiEntry> entries = entries(100);
        LokiRequest request = sink.start(entries, Set.of()).requests().get(0);
        assertNotNull(sink.beforeAttempt(request));
        entries.forEach(this::store); // Loki got the push, then stalled before answering
        assertThrows(LokiRetryableException.class,
                () -> sink.answered(request, LokiResponse.unanswered("SocketTimeoutException: Read timed out")));
        assertEquals(1, counter("ingestion.loki.push.requests", "status", "error"));

        assertNull(sink.beforeAttempt(request), "nothing left to send");
        assertEquals(LokiSink.Outcome.ACCEPTED, sink.outcome(request));
        assertEquals(100, counter("ingestion.loki.entries"));
        assertEquals(100, counter("ingestion.loki.entries.already.stored"));
        assertEquals(4, queries, "for each of the two streams: asked once Loki answers, then again a moment later");
        assertEquals(List.of(Duration.ofSeconds(1)), waits);
        assertEquals(LokiDelivery.State.IDLE, sink.state());
    }

    @Test
    void onlyTheEntriesLokiDoesNotHaveAreSentAgain() {
        LokiSink sink = sink();
        List<LokiEntry> entries = entries(100);
        LokiRequest request = sink.start(entries, Set.of()).requests().get(0);
        sink.beforeAttempt(request);
        entries.subList(0, 30).forEach(this::store);
        assertThrows(LokiRetryableException.class, () -> sink.answered(request, LokiResponse.unanswered("timeout")));

        ByteBuffer again = sink.beforeAttempt(request);
        assertEquals(entries.subList(30, 100).stream().map(LokiEntry::line).toList(), linesIn(again, entries));
        sink.answered(request, OK);
        assertEquals(100, counter("ingestion.loki.entries"));
        assertEquals(30, counter("ingestion.loki.entries.already.stored"));
    }

    @Test
    void whileLokiDoesNotAnswerTheQueryNothingIsPushedAgain() {
        LokiSink sink = sink();
        LokiRequest request = sink.start(entries(10), Set.of()).requests().get(0);
        sink.beforeAttempt(request);
        assertThrows(LokiRetryableException.class, () -> sink.answered(request, LokiResponse.unanswered("timeout")));
        queriesAnswered = false;
        for (int attempt = 0; attempt < 3; attempt++) {
            LokiRetryableException retry = assertThrows(LokiRetryableException.class, () -> sink.beforeAttempt(request));
            assertEquals("Loki does not answer queries yet after an unanswered push", retry.response().body());
        }
        assertEquals(1, counter("ingestion.loki.push.requests", "status", "error"), "no copy queued in a stalled Loki");
        assertEquals(3, queries, "the first stream's query gets no answer: the second is not asked");
        // any other request, of this call or the next, asks first too
        LokiRequest next = sink.start(entries(3), Set.of()).requests().get(0);
        assertThrows(LokiRetryableException.class, () -> sink.beforeAttempt(next));
        assertEquals(LokiDelivery.State.FAILING, sink.state());
    }

    @Test
    void aConnectionRefusedIsNoReasonToAskLokiFirst() {
        LokiSink sink = sink();
        LokiRequest request = sink.start(entries(10), Set.of()).requests().get(0);
        sink.beforeAttempt(request);
        assertThrows(LokiRetryableException.class,
                () -> sink.answered(request, LokiResponse.noAnswer("HttpHostConnectException: Connection refused")));
        assertNotNull(sink.beforeAttempt(request));
        assertEquals(0, queries, "Loki cannot hold a push that never reached it");
    }

    @Test
    void redeliveredEntriesLokiHoldsAlreadyAreNotPlannedAgain() {
        LokiSink sink = sink();
        List<LokiEntry> entries = entries(100);
        entries.subList(0, 30).forEach(this::store);
        // 40 come again from Kafka, of which Loki holds 30 (their first push went through, their batch did not)
        LokiCall call = sink.start(entries, Set.copyOf(entries.subList(0, 40)));
        assertEquals(1, call.requests().size());
        assertEquals(entries.subList(30, 100).stream().map(LokiEntry::line).toList(),
                linesIn(sink.beforeAttempt(call.requests().get(0)), entries));
        assertEquals(30, counter("ingestion.loki.entries.already.stored"));
        assertEquals(100, pending(), "the whole batch is pending until released");
    }
}
