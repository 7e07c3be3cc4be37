package io.ingestobs.loki;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One push request of a {@link LokiCall} and what its attempts so far left: since when it is retrying (the retry
 * budget counts from there), Loki's last answer, whether Loki may hold what an unanswered attempt sent. Its attempts
 * run one after the other (on one thread at a time), so its state needs no lock; the sink's health is shared.
 */
public final class LokiRequest {

    private final LokiSink sink;
    private final LokiCall call;
    List<LokiEntry> entries;
    /** The encoded body, kept over the attempts; encoded again only if entries Loki already holds are dropped. */
    ByteBuffer body;
    /** False once an attempt got no answer: its array is then not handed to another push. */
    boolean reusable = true;
    boolean started;
    boolean failing;
    boolean done;
    /** Ask Loki what it holds before the next attempt: the last one (or another request's) went unanswered. */
    boolean askFirst;
    long retryingSinceNanos;
    long sentNanos;
    LokiResponse lastAnswer;

    LokiRequest(LokiSink sink, LokiCall call, List<LokiEntry> entries) {
        this.sink = sink;
        this.call = call;
        this.entries = entries;
    }

    /** The sink that planned this request: it decides on each of its answers. */
    public LokiSink sink() {
        return sink;
    }

    public LokiCall call() {
        return call;
    }

    public int size() {
        return entries.size();
    }

    @Override
    public String toString() {
        return "LokiRequest[" + entries.size() + " entries]";
    }
}
