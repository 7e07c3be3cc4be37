package io.ingestobs.loki;


import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Delivers entries to Loki in batches bounded by count and bytes (SPEC §5). Busy or failing Loki: retried with
 * exponential backoff and jitter, honouring Retry-After, up to a time budget. Refused content: the batch is split
 * until the refused entries stand alone, so the good ones are delivered whatever Loki does with a partial batch;
 * the refused ones are handed back for the dead-letter topic, with Loki's answer. The requests of one call may go
 * out side by side (up to the sink's concurrency): a call returns only once every one of them is answered.
 */
public final class LokiSink implements LokiDelivery {

    private static final int MAX_SPARE_BODIES = 8;
    /** Time for a push Loki received before it stalled to be stored once it runs again (see pushWithRetry). */
    private static final Duration SETTLE = Duration.ofSeconds(1);

    private final LokiClient client;
    private final LokiSettings settings;
    private final LokiSinkMetrics metrics;
    private final Sleeper sleeper;
    /** Body arrays of finished pushes, for the next ones: one per request in flight is all that is ever taken. */
    private final Queue<byte[]> spareBodies = new ConcurrentLinkedQueue<>();
    /** Runs the requests of a call side by side; a direct executor sends them one after the other. */
    private final Executor pushers;
    // Health, from requests that may run side by side: a request that succeeds must not hide one still failing.
    /** Requests in flight. */
    private final AtomicInteger active = new AtomicInteger();
    /** Requests in flight that got an answer worth retrying and are waiting or trying again. */
    private final AtomicInteger retrying = new AtomicInteger();
    /** Orders the outcomes of requests on different threads: which came last, a give-up or an answer. */
    private final AtomicLong outcomes = new AtomicLong();
    private final AtomicLong lastGiveUp = new AtomicLong();
    private final AtomicLong lastAnswer = new AtomicLong();
    /**
     * A push went out and got no answer, and Loki has not answered one since: it may be stalled with requests
     * queued in it. A push of any call (a batch the consumer polls again after giving it up included) then first
     * asks Loki what it holds, and is not sent while Loki does not answer: each one sent would be one more copy
     * queued in the stalled Loki, stored when it runs again.
     */
    private volatile boolean lokiMayHoldUnansweredPushes;
    private volatile String lastError;

    /** How the sink waits between attempts; tests replace it to run without waiting. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Waits for real. */
    public static final Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis());

    public LokiSink(LokiClient client, LokiSettings settings, LokiSinkMetrics metrics) {
        this(client, settings, metrics, THREAD_SLEEP);
    }

    public LokiSink(LokiClient client, LokiSettings settings, LokiSinkMetrics metrics, Sleeper sleeper) {
        this(client, settings, metrics, sleeper, Runnable::run);
    }

    /**
     * @param pushers runs the requests of one call side by side: encoding a body and waiting for Loki's answer
     *                were a fifth of the consumer thread's time against an instant Loki, and against a real one
     *                (tens of ms a push) one request at a time would bound the whole pipeline. Owned by the
     *                caller (the application's is Camel's, stopped with the context).
     */
    public LokiSink(LokiClient client, LokiSettings settings, LokiSinkMetrics metrics, Sleeper sleeper,
                    Executor pushers) {
        this.client = client;
        this.settings = settings;
        this.metrics = metrics;
        this.sleeper = sleeper;
        this.pushers = pushers;
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

    @Override
    public List<Refusal> deliver(List<LokiEntry> entries) {
        return deliver(entries, Set.of());
    }

    /**
     * As {@link #deliver(List)}, where {@code sentBefore} (a subset of {@code entries}) may be in Loki already: sent
     * by an earlier call that did not complete (a push Loki stored without answering in time, or a batch given up
     * after some of its requests were taken). Loki is asked which of them it holds, and those are not sent again:
     * Loki drops a same-time same-line entry only while it is in its stream's head block, so a second copy would
     * stay, and metric queries (count_over_time) would count runs that never happened.
     */
    @Override
    public List<Refusal> deliver(List<LokiEntry> entries, Set<LokiEntry> sentBefore) {
        List<Refusal> refusals = new ArrayList<>();
        // The whole call's entries stay pending until it returns: none is acknowledged to Kafka before then.
        metrics.pending(entries.size());
        try {
            List<LokiEntry> toSend = entries;
            if (!sentBefore.isEmpty()) {
                Optional<Set<LokiEntry>> stored = client.alreadyStored(new ArrayList<>(sentBefore));
                if (stored.isPresent() && !stored.get().isEmpty()) {
                    toSend = new ArrayList<>(entries);
                    toSend.removeAll(stored.get());
                    metrics.alreadyStored(entries.size() - toSend.size());
                }
            }
            List<List<LokiEntry>> requests = new ArrayList<>();
            List<LokiEntry> batch = new ArrayList<>();
            int batchBytes = 0;
            for (LokiEntry entry : toSend) {
                if (entry.longerThan(settings.maxLineBytes())) {
                    refusals.add(new Refusal(entry, Refusal.Cause.LINE_TOO_LONG,
                            "line longer than " + settings.maxLineBytes() + " bytes"));
                    continue;
                }
                if (!batch.isEmpty() && (batch.size() >= settings.batchMaxEntries()
                        || batchBytes + entry.approximateBytes() > settings.batchMaxBytes())) {
                    requests.add(batch);
                    batch = new ArrayList<>();
                    batchBytes = 0;
                }
                batch.add(entry);
                batchBytes += entry.approximateBytes();
            }
            if (!batch.isEmpty()) {
                requests.add(batch);
            }
            if (requests.size() == 1) {
                for (List<LokiEntry> request : requests) {
                    send(request, refusals);
                }
            } else {
                sendSideBySide(requests, refusals);
            }
        } finally {
            metrics.pending(-entries.size());
        }
        return refusals;
    }

    /**
     * Every request on the pushers; waits for all of them, even once one has failed, so that nothing of this call
     * is still being sent when the caller hands the batch back to Kafka. Once one has failed, those not started yet
     * are not sent (the call fails anyway): with a direct executor the call then costs one retry budget, not one
     * per request. Refusals come in the order of the requests.
     */
    private void sendSideBySide(List<List<LokiEntry>> requests, List<Refusal> refusals) {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Future<List<Refusal>>> answers = new ArrayList<>(requests.size());
        for (List<LokiEntry> request : requests) {
            answers.add(CompletableFuture.supplyAsync(() -> {
                List<Refusal> own = new ArrayList<>();
                if (failure.get() != null) {
                    return own;
                }
                try {
                    send(request, own);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    throw e;
                }
                return own;
            }, pushers));
        }
        boolean interrupted = false;
        for (Future<List<Refusal>> answer : answers) {
            while (true) {
                try {
                    refusals.addAll(answer.get());
                    break;
                } catch (InterruptedException e) {
                    // the requests already out finish within their retry budget; the interruption is kept for later
                    interrupted = true;
                } catch (ExecutionException e) {
                    failure.compareAndSet(null, e.getCause() instanceof RuntimeException runtime ? runtime
                            : new LokiUnavailableException("push failed: " + e.getCause()));
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private void send(List<LokiEntry> batch, List<Refusal> refusals) {
        LokiResponse response = pushWithRetry(batch);
        if (response.accepted()) {
            metrics.accepted(batch.size());
            return;
        }
        if (batch.size() == 1) {
            refusals.add(new Refusal(batch.get(0), Refusal.Cause.REFUSED_BY_LOKI,
                    "Loki answered " + response.status() + ": " + response.body()));
            return;
        }
        int half = batch.size() / 2;
        send(new ArrayList<>(batch.subList(0, half)), refusals);
        send(new ArrayList<>(batch.subList(half, batch.size())), refusals);
    }

    private LokiResponse pushWithRetry(List<LokiEntry> entries) {
        List<LokiEntry> batch = entries;
        ByteBuffer body = LokiPushBody.encode(batch, spareBodies.poll());
        // An attempt that got no answer (a timeout) may still be reading the array in the HTTP client's threads:
        // such an array is left to the garbage collector rather than written over by the next push.
        boolean reusable = true;
        // The last attempt went out but got no answer: Loki may hold its entries, and sending them again would store
        // them twice (Loki drops a same-time same-line entry only while it is in the stream's head block). Before
        // the next attempt, Loki is asked which it has, and only the others are sent.
        boolean unanswered = lokiMayHoldUnansweredPushes;
        boolean failing = false;
        long deadline = System.nanoTime() + settings.maxRetryTime().toNanos();
        Duration backoff = settings.initialBackoff();
        active.incrementAndGet();
        try {
            while (true) {
                LokiResponse response = null;
                if (unanswered) {
                    Optional<Set<LokiEntry>> stored = storedOnceLokiAnswers(batch);
                    if (stored.isPresent()) {
                        unanswered = false;
                        List<LokiEntry> missing = new ArrayList<>(batch);
                        missing.removeAll(stored.get());
                        metrics.alreadyStored(batch.size() - missing.size());
                        if (missing.isEmpty()) {
                            response = LokiResponse.alreadyStored(batch.size());
                        } else if (missing.size() < batch.size()) {
                            batch = missing;
                            body = LokiPushBody.encode(batch, null);
                            reusable = false;
                        }
                    } else {
                        // Loki still does not answer: pushing again now would only queue one more copy in it
                        response = LokiResponse.noAnswer("Loki does not answer queries yet after an unanswered push");
                    }
                }
                if (response == null) {
                    long start = System.nanoTime();
                    response = client.push(body);
                    metrics.request(response, batch.size(), System.nanoTime() - start);
                    reusable &= response.status() != 0;
                    unanswered = response.mayHaveBeenStored();
                    if (unanswered) {
                        lokiMayHoldUnansweredPushes = true;
                    } else if (response.status() != 0) {
                        lokiMayHoldUnansweredPushes = false;
                    }
                }
                if (!response.retryable()) {
                    lastAnswer.accumulateAndGet(outcomes.incrementAndGet(), Math::max);
                    if (!response.accepted()) {
                        lastError = "Loki answered " + response.statusLabel() + ": " + response.body();
                    }
                    if (reusable && spareBodies.size() < MAX_SPARE_BODIES) {
                        spareBodies.offer(body.array());
                    }
                    return response;
                }
                if (!failing) {
                    failing = true;
                    retrying.incrementAndGet();
                }
                lastError = "Loki answered " + response.statusLabel() + ": " + response.body();
                Duration wait = response.retryAfter().orElse(jitter(backoff));
                if (System.nanoTime() + wait.toNanos() > deadline) {
                    lastGiveUp.accumulateAndGet(outcomes.incrementAndGet(), Math::max);
                    throw new LokiUnavailableException("Loki did not take " + batch.size() + " entries within "
                            + settings.maxRetryTime() + "; last answer: " + lastError);
                }
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    lastGiveUp.accumulateAndGet(outcomes.incrementAndGet(), Math::max);
                    throw new LokiUnavailableException("interrupted while waiting to retry Loki");
                }
                backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0
                        ? settings.maxBackoff() : backoff.multipliedBy(2);
            }
        } finally {
            if (failing) {
                retrying.decrementAndGet();
            }
            active.decrementAndGet();
        }
    }

    /**
     * Asks Loki which entries it holds. A push Loki received before it stalled is stored as soon as Loki runs again,
     * possibly while this very query is being answered: once Loki answers, it is asked again a moment later, and
     * the second answer counts.
     */
    private Optional<Set<LokiEntry>> storedOnceLokiAnswers(List<LokiEntry> batch) {
        if (client.alreadyStored(batch).isEmpty()) {
            return Optional.empty();
        }
        try {
            sleeper.sleep(SETTLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LokiUnavailableException("interrupted while asking Loki what it stored");
        }
        return client.alreadyStored(batch);
    }

    /** Full jitter: spreads the retries of several consumers after a shared outage. */
    private static Duration jitter(Duration backoff) {
        long millis = Math.max(1, backoff.toMillis());
        return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }
}
