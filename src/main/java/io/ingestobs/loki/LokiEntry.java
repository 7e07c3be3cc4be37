package io.ingestobs.loki;

/**
 * One log line for Loki: its stream, its time in nanoseconds, the line itself, and where it came from so that a
 * refusal can be sent to the dead-letter topic with its origin.
 */
public record LokiEntry(LokiStream stream, long epochNanos, String line, String key, String origin) {

    /** What the entry weighs in a push body, near enough for batching by bytes. */
    public int approximateBytes() {
        return line.length() + 32;
    }
}
