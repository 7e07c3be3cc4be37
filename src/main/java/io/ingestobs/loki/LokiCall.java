package io.ingestobs.loki;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The delivery of one consumed batch: its push requests, which may be answered side by side on several threads,
 * what Loki refused, and whether a request gave up (then the whole call fails, and requests not sent yet are not).
 */
public final class LokiCall {

    private final List<LokiEntry> entries;
    private volatile List<LokiRequest> requests = List.of();
    private final Queue<LokiDelivery.Refusal> refusals = new ConcurrentLinkedQueue<>();
    private final AtomicReference<String> gaveUp = new AtomicReference<>();
    private final AtomicBoolean released = new AtomicBoolean();

    LokiCall(List<LokiEntry> entries) {
        this.entries = entries;
    }

    /** The requests to send, each on its own, in any order or side by side. */
    public List<LokiRequest> requests() {
        return requests;
    }

    public int size() {
        return entries.size();
    }

    void plan(List<LokiRequest> planned) {
        this.requests = List.copyOf(planned);
    }

    void refuse(LokiDelivery.Refusal refusal) {
        refusals.add(refusal);
    }

    void gaveUp(String why) {
        gaveUp.compareAndSet(null, why);
    }

    boolean failed() {
        return gaveUp.get() != null;
    }

    String whyGaveUp() {
        return gaveUp.get();
    }

    boolean release() {
        return released.compareAndSet(false, true);
    }

    /** In the order of the call's entries, whichever request refused them first. */
    List<LokiDelivery.Refusal> refusals() {
        Map<LokiEntry, Integer> positions = new IdentityHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            positions.put(entries.get(i), i);
        }
        List<LokiDelivery.Refusal> ordered = new ArrayList<>(refusals);
        ordered.sort(Comparator.comparingInt(r -> positions.getOrDefault(r.entry(), Integer.MAX_VALUE)));
        return ordered;
    }
}
