package io.ingestobs.loki;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers entries to Loki in requests bounded by count and bytes (SPEC §5), and decides on each answer; the
 * requests themselves go out through the route (routes/loki.yaml: camel-http, Camel's redelivery). Busy or failing
 * Loki: the request is retried (the route's backoff, or the delay Loki asked for) within a time budget. Refused
 * content: the request is split until the refused entries stand alone, so the good ones are delivered whatever Loki
 * does with a partial batch; the refused ones are handed back for the dead-letter topic, with Loki's answer. After
 * a push that got no answer, Loki is asked what it holds before anything is sent again (issue 16).
 */
public final class LokiSink implements LokiDelivery {

    private static final int MAX_SPARE_BODIES = 8;
    /** Time for a push Loki received before it stalled to be stored once it runs again (see storedOnceLokiAnswers). */
    private static final Duration SETTLE = Duration.ofSeconds(1);

    private final LokiSettings settings;
    private final LokiSinkMetrics metrics;
    private final LokiStoredEntries storedEntries;
    private final Sleeper sleeper;
    /** Body arrays of finished pushes, for the next ones: one per request in flight is all that is ever taken. */
    private final Queue<byte[]> spareBodies = new ConcurrentLinkedQueue<>();
    // Health, from requests that may run side by side: a request that succeeds must not hide one still failing.
    /** Requests started and not done. */
    private final AtomicInteger active = new AtomicInteger();
    /** Requests that got an answer worth retrying and are waiting or trying again. */
    private final AtomicInteger retrying = new AtomicInteger();
    /** Orders the outcomes of requests on different threads: which came last, a give-up or an answer. */
    private final AtomicLong outcomes = new AtomicLong();
    private final AtomicLong lastGiveUp = new AtomicLong();
    private final AtomicLong lastAnswer = new AtomicLong();
    /**
     * A push went out and got no answer, and Loki has not answered one since: it may be stalled with requests
     * queued in it. A request (a batch the consumer polls again after giving it up included) then first asks Loki
     * what it holds, and is not sent while Loki does not answer: each one sent would be one more copy queued in the
     * stalled Loki, stored when it runs again.
     */
    private volatile boolean lokiMayHoldUnansweredPushes;
    private volatile String lastError;

    /** How the sink waits before asking Loki again; tests replace it to run without waiting. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Waits for real. */
    public static final Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis());

    /** What became of a request once Loki answered it as meant. */
    public enum Outcome {
        /** In Loki (answered 2xx, or found there already). */
        ACCEPTED,
        /** Its one entry refused: handed back with Loki's answer. */
        REFUSED,
        /** Refused content among several entries: to be sent again as {@link #halves}. */
        SPLIT,
        /** Not sent: another request of its call gave up, so the call fails anyway. */
        SKIPPED
    }

    public LokiSink(LokiSettings settings, LokiSinkMetrics metrics, LokiStoredEntries storedEntries) {
        this(settings, metrics, storedEntries, THREAD_SLEEP);
    }

    public LokiSink(LokiSettings settings, LokiSinkMetrics metrics, LokiStoredEntries storedEntries,
                    Sleeper sleeper) {
        this.settings = settings;
        this.metrics = metrics;
        this.storedEntries = storedEntries;
        this.sleeper = sleeper;
    }

    /**
     * FAILING while any request is retrying, and after a request gave up until a later one gets an answer Loki
     * meant; DELIVERING while requests are out; IDLE otherwise.
     */
    @Override
    public State state() {
        if (retrying.get() > 0 || lastGiveUp.get() > lastAnswer.get()) {
            return State.FAILING;
        }
        return active.get() > 0 ? State.DELIVERING : State.IDLE;
    }

    @Override
    public String lastError() {
        return lastError;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    /**
     * Entries of {@code sentBefore} Loki holds are not sent again: Loki drops a same-time same-line entry only while
     * it is in its stream's head block, so a second copy would stay, and metric queries (count_over_time) would
     * count runs that never happened.
     */
    @Override
    public LokiCall start(List<LokiEntry> entries, Set<LokiEntry> sentBefore) {
        LokiCall call = new LokiCall(entries);
        // The whole call's entries stay pending until it is released: none is acknowledged to Kafka before then.
        metrics.pending(entries.size());
        try {
            List<LokiEntry> toSend = entries;
            if (!sentBefore.isEmpty()) {
                Optional<Set<LokiEntry>> stored = storedEntries.find(new ArrayList<>(sentBefore));
                if (stored.isPresent() && !stored.get().isEmpty()) {
                    toSend = new ArrayList<>(entries);
                    toSend.removeAll(stored.get());
                    metrics.alreadyStored(entries.size() - toSend.size());
                }
            }
            List<LokiRequest> requests = new ArrayList<>();
            List<LokiEntry> batch = new ArrayList<>();
            int batchBytes = 0;
            for (LokiEntry entry : toSend) {
                if (entry.longerThan(settings.maxLineBytes())) {
                    call.refuse(new Refusal(entry, Refusal.Cause.LINE_TOO_LONG,
                            "line longer than " + settings.maxLineBytes() + " bytes"));
                    continue;
                }
                if (!batch.isEmpty() && (batch.size() >= settings.batchMaxEntries()
                        || batchBytes + entry.approximateBytes() > settings.batchMaxBytes())) {
                    requests.add(new LokiRequest(this, call, batch));
                    batch = new ArrayList<>();
                    batchBytes = 0;
                }
                batch.add(entry);
                batchBytes += entry.approximateBytes();
            }
            if (!batch.isEmpty()) {
                requests.add(new LokiRequest(this, call, batch));
            }
            call.plan(requests);
        } catch (RuntimeException e) {
            release(call);
            throw e;
        }
        return call;
    }

    /**
     * The body to push for this attempt, or null when there is nothing to push: every entry is in Loki already
     * ({@link #outcome} ACCEPTED), or another request of the call gave up (SKIPPED). Throws
     * {@link LokiRetryableException} while Loki does not answer the question of what it holds after an unanswered
     * push.
     */
    public ByteBuffer beforeAttempt(LokiRequest request) {
        if (!request.started) {
            request.started = true;
            request.askFirst = lokiMayHoldUnansweredPushes;
            active.incrementAndGet();
        }
        if (request.call().failed()) {
            done(request);
            return null;
        }
        if (request.askFirst) {
            Optional<Set<LokiEntry>> stored = storedOnceLokiAnswers(request.entries);
            if (stored.isEmpty()) {
                // Loki still does not answer: pushing again now would only queue one more copy in it
                retry(request, LokiResponse.noAnswer("Loki does not answer queries yet after an unanswered push"));
            }
            request.askFirst = false;
            List<LokiEntry> missing = new ArrayList<>(request.entries);
            missing.removeAll(stored.get());
            metrics.alreadyStored(request.entries.size() - missing.size());
            if (missing.isEmpty()) {
                lastAnswer.accumulateAndGet(outcomes.incrementAndGet(), Math::max);
                metrics.accepted(request.entries.size());
                done(request);
                return null;
            }
            if (missing.size() < request.entries.size()) {
                // those are in Loki: accepted by the push that got no answer
                metrics.accepted(request.entries.size() - missing.size());
                request.entries = missing;
                request.body = LokiPushBody.encode(missing, null);
                request.reusable = false;
            }
        }
        if (request.body == null) {
            request.body = LokiPushBody.encode(request.entries, spareBodies.poll());
        }
        request.sentNanos = System.nanoTime();
        return request.body;
    }

    /** What became of a request whose attempt sent nothing ({@link #beforeAttempt} gave null). */
    public Outcome outcome(LokiRequest request) {
        return request.call().failed() ? Outcome.SKIPPED : Outcome.ACCEPTED;
    }

    /**
     * Loki's answer to an attempt, or {@link LokiResponse#noAnswer}/{@link LokiResponse#unanswered} when none came.
     * Throws {@link LokiRetryableException} when it is worth trying again (the route's redelivery does).
     */
    public Outcome answered(LokiRequest request, LokiResponse response) {
        if (request.sentNanos != 0) {
            metrics.request(response, request.entries.size(), System.nanoTime() - request.sentNanos);
            request.sentNanos = 0;
        }
        // An attempt that got no answer (a timeout) may still be reading the array somewhere: such an array is
        // left to the garbage collector rather than written over by the next push.
        request.reusable &= response.status() != 0;
        // The attempt went out but got no answer: Loki may hold its entries, and sending them again would store
        // them twice. Before the next attempt, Loki is asked which it has, and only the others are sent.
        request.askFirst = response.mayHaveBeenStored();
        if (request.askFirst) {
            lokiMayHoldUnansweredPushes = true;
        } else if (response.status() != 0) {
            lokiMayHoldUnansweredPushes = false;
        }
        if (response.retryable()) {
            retry(request, response);
        }
        lastAnswer.accumulateAndGet(outcomes.incrementAndGet(), Math::max);
        if (response.accepted()) {
            metrics.accepted(request.entries.size());
            done(request);
            return Outcome.ACCEPTED;
        }
        lastError = "Loki answered " + response.statusLabel() + ": " + response.body();
        done(request);
        if (request.entries.size() == 1) {
            request.call().refuse(new Refusal(request.entries.get(0), Refusal.Cause.REFUSED_BY_LOKI,
                    "Loki answered " + response.status() + ": " + response.body()));
            return Outcome.REFUSED;
        }
        return Outcome.SPLIT;
    }

    /** A request refused for its content, as two requests of half its entries each. */
    public List<LokiRequest> halves(LokiRequest request) {
        int half = request.entries.size() / 2;
        return List.of(
                new LokiRequest(this, request.call(), new ArrayList<>(request.entries.subList(0, half))),
                new LokiRequest(this, request.call(), new ArrayList<>(request.entries.subList(half,
                        request.entries.size()))));
    }

    /**
     * Whether the request may be tried again after its {@code redeliveries}-th failed attempt: the wait before it
     * (what Loki asked for, or the nominal backoff) must end within LOKI_RETRY_MAX_MS of the first answer worth
     * retrying (from then on the request is retrying; the first attempt's own time, a cold client's included, is
     * the request timeout's business).
     */
    public boolean retryAllowed(LokiRequest request, int redeliveries) {
        Duration wait = request.lastAnswer.retryAfter().orElse(backoff(redeliveries));
        return System.nanoTime() - request.retryingSinceNanos + wait.toNanos() <= settings.maxRetryTime().toNanos();
    }

    /** The route's exponential backoff before the {@code redeliveries}-th retry, without its jitter. */
    Duration backoff(int redeliveries) {
        Duration wait = settings.initialBackoff();
        for (int i = 1; i < redeliveries && wait.compareTo(settings.maxBackoff()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : wait;
    }

    /** The request was not taken within the budget: its call fails, and is handed back to Kafka uncommitted. */
    public void gaveUp(LokiRequest request) {
        lastGiveUp.accumulateAndGet(outcomes.incrementAndGet(), Math::max);
        LokiResponse last = request.lastAnswer;
        request.call().gaveUp(last == null ? "no answer"
                : "Loki answered " + last.statusLabel() + ": " + last.body());
        done(request);
    }

    /** The request failed for a reason that is not Loki's answer (a bug, a stop): it is over all the same. */
    public void failed(LokiRequest request, Throwable cause) {
        request.call().gaveUp(String.valueOf(cause));
        done(request);
    }

    @Override
    public List<Refusal> finish(LokiCall call) {
        if (call.failed()) {
            throw new LokiUnavailableException("Loki did not take " + call.size() + " entries within "
                    + settings.maxRetryTime() + "; last answer: " + call.whyGaveUp());
        }
        return call.refusals();
    }

    @Override
    public void release(LokiCall call) {
        if (call.release()) {
            metrics.pending(-call.size());
        }
    }

    private void retry(LokiRequest request, LokiResponse response) {
        request.lastAnswer = response;
        if (!request.failing) {
            request.failing = true;
            request.retryingSinceNanos = System.nanoTime();
            retrying.incrementAndGet();
        }
        lastError = "Loki answered " + response.statusLabel() + ": " + response.body();
        throw new LokiRetryableException(response);
    }

    private void done(LokiRequest request) {
        if (request.done) {
            return;
        }
        request.done = true;
        if (request.started) {
            active.decrementAndGet();
        }
        if (request.failing) {
            retrying.decrementAndGet();
        }
        if (request.body != null && request.reusable && spareBodies.size() < MAX_SPARE_BODIES) {
            spareBodies.offer(request.body.array());
        }
        request.body = null;
    }

    /**
     * Asks Loki which entries it holds. A push Loki received before it stalled is stored as soon as Loki runs again,
     * possibly while this very query is being answered: once Loki answers, it is asked again a moment later, and
     * the second answer counts.
     */
    private Optional<Set<LokiEntry>> storedOnceLokiAnswers(List<LokiEntry> entries) {
        if (storedEntries.find(entries).isEmpty()) {
            return Optional.empty();
        }
        try {
            sleeper.sleep(SETTLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LokiUnavailableException("interrupted while asking Loki what it stored");
        }
        return storedEntries.find(entries);
    }
}
