package io.ingestobs.loki;

import java.util.List;
import java.util.Set;

/**
 * Where the log lines of a consumed batch go: Loki through a {@link LokiSink}, or nowhere ({@link #OFF}) when no
 * {@code LOKI_URL} is set, so that nothing downstream needs to ask whether there is a sink at all.
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
     * Delivers every entry or hands it back refused; throws {@link LokiUnavailableException} when Loki did not
     * take them within the retry budget (nothing of this call is then acknowledged, and the caller retries).
     */
    List<Refusal> deliver(List<LokiEntry> entries);

    /**
     * As {@link #deliver(List)}, where {@code sentBefore} (a subset of {@code entries}) may be in Loki already, sent
     * by an earlier call that did not complete: those Loki holds are not sent again.
     */
    List<Refusal> deliver(List<LokiEntry> entries, Set<LokiEntry> sentBefore);

    /** False for {@link #OFF}: callers may skip building entries nobody sends. */
    boolean enabled();

    State state();

    /** Loki's last answer that was not a success, or null. */
    String lastError();

    /** LOKI_URL unset: lines go nowhere, runs are counted in the metrics only. */
    LokiDelivery OFF = new LokiDelivery() {
        @Override
        public List<Refusal> deliver(List<LokiEntry> entries) {
            return List.of();
        }

        @Override
        public List<Refusal> deliver(List<LokiEntry> entries, Set<LokiEntry> sentBefore) {
            return List.of();
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
