package io.ingestobs.loki;

import java.util.List;
import java.util.Set;

/**
 * Where the log lines of a consumed batch go: Loki through a {@link LokiSink}, or nowhere ({@link #OFF}) when no
 * {@code LOKI_URL} is set, so that nothing downstream needs to ask whether there is a sink at all. A delivery is a
 * {@link LokiCall}: planned by {@link #start}, its requests sent (by the route), then {@link #finish}ed.
 */
public interface LokiDelivery {

    /** An entry Loki will not take, and why, in Loki's terms: the caller decides what that means for the run. */
    record Refusal(LokiEntry entry, Cause cause, String answer) {

        public enum Cause {
            /** Longer than Loki's max_line_size: refused before sending. */
            LINE_TOO_LONG,
            /** Loki answered a 4xx for this entry alone. */
            REFUSED_BY_LOKI
        }
    }

    /** Read by the health check: whether Loki answers as meant. */
    enum State { IDLE, DELIVERING, FAILING }

    /**
     * The push requests that deliver {@code entries}, where {@code sentBefore} (a subset of them) may be in Loki
     * already, sent by an earlier call that did not complete: those Loki holds are not sent again. The entries are
     * pending until {@link #release}.
     */
    LokiCall start(List<LokiEntry> entries, Set<LokiEntry> sentBefore);

    /**
     * Once every request of the call is done: the entries refused, in the order of the entries. Throws
     * {@link LokiUnavailableException} when a request was not taken within the retry budget (nothing of the call
     * is then acknowledged, and the caller tries again).
     */
    List<Refusal> finish(LokiCall call);

    /** The call's entries are no longer pending, whatever became of them; once per call, however often called. */
    void release(LokiCall call);

    /** False for {@link #OFF}: callers may skip building entries nobody sends. */
    boolean enabled();

    State state();

    /** Loki's last answer that was not a success, or null. */
    String lastError();

    /** LOKI_URL unset: lines go nowhere, runs are counted in the metrics only. */
    LokiDelivery OFF = new LokiDelivery() {
        @Override
        public LokiCall start(List<LokiEntry> entries, Set<LokiEntry> sentBefore) {
            return new LokiCall(entries);
        }

        @Override
        public List<Refusal> finish(LokiCall call) {
            return List.of();
        }

        @Override
        public void release(LokiCall call) {
        }

        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public State state() {
            return State.IDLE;
        }

        @Override
        public String lastError() {
            return null;
        }

        @Override
        public String toString() {
            return "off (LOKI_URL unset)";
        }
    };
}
