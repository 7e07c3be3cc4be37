package io.ingestobs.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Writes the run meters' families as the Prometheus client would (same lines, as {@code RunExpositionTest}
 * checks), at a fraction of its cost: each series' labels are bytes rendered when the series was made, each
 * line's fixed parts are bytes rendered once per family, and only the values are written per scrape, into a
 * buffer streamed to the response. For OpenMetrics, the caller ends the exposition ({@code # EOF}) after its
 * other families.
 */
public final class RunExposition {

    private static final int BUFFER_BYTES = 256 * 1024;
    private static final FamilyText[] TEXT = new FamilyText[RunFamily.values().length];

    static {
        for (RunFamily family : RunFamily.values()) {
            TEXT[family.ordinal()] = new FamilyText(family);
        }
    }

    private final RunMetrics metrics;

    RunExposition(RunMetrics metrics) {
        this.metrics = metrics;
    }

    public void write(OutputStream out, ExpositionFormat format) throws IOException {
        ByteSink sink = new ByteSink(out, BUFFER_BYTES);
        long[] cumulative = new long[16];
        for (RunFamily family : RunFamily.values()) {
            FamilyText text = TEXT[family.ordinal()];
            switch (family) {
                case CPU, DURATION, MEMORY -> {
                    Collection<PairSeries> pairs = metrics.pairSeries();
                    if (any(pairs, true)) {
                        sink.write(text.header(format));
                        for (PairSeries pair : pairs) {
                            if (pair.counted()) {
                                double sum = pair.copyTo(family, cumulative);
                                writeHistogram(sink, text, pair.labels, cumulative, sum);
                            }
                        }
                    }
                }
                case FAILURES -> {
                    Collection<PairSeries> pairs = metrics.pairSeries();
                    if (any(pairs, true)) {
                        sink.write(text.header(format));
                        for (PairSeries pair : pairs) {
                            if (pair.counted()) {
                                writeSample(sink, text, pair.labels, pair.failures());
                            }
                        }
                    }
                }
                case LAST_RUN_SUCCESS -> {
                    Collection<PairSeries> pairs = metrics.pairSeries();
                    if (any(pairs, false)) {
                        sink.write(text.header(format));
                        for (PairSeries pair : pairs) {
                            if (pair.hasState()) {
                                writeSample(sink, text, pair.labels, pair.lastRunSuccess());
                            }
                        }
                    }
                }
                case PAIR_LAST_RUN_TIMESTAMP -> {
                    Collection<PairSeries> pairs = metrics.pairSeries();
                    if (any(pairs, false)) {
                        sink.write(text.header(format));
                        for (PairSeries pair : pairs) {
                            if (pair.hasState()) {
                                writeSample(sink, text, pair.labels, pair.newestRunEpochSeconds());
                            }
                        }
                    }
                }
                case LAST_RUN_TIMESTAMP -> {
                    Collection<SourceFreshness> sources = metrics.freshnessSeries();
                    if (!sources.isEmpty()) {
                        sink.write(text.header(format));
                        for (SourceFreshness source : sources) {
                            writeSample(sink, text, source.labels, source.epochSeconds());
                        }
                    }
                }
                case RECOVERY -> {
                    Collection<RecoverySeries> objets = metrics.recoverySeries();
                    if (!objets.isEmpty()) {
                        sink.write(text.header(format));
                        for (RecoverySeries objet : objets) {
                            double sum = objet.copyTo(cumulative);
                            writeHistogram(sink, text, objet.labels, cumulative, sum);
                        }
                    }
                }
                case RUNS -> {
                    Collection<RunSeries> runs = metrics.runSeries();
                    if (!runs.isEmpty()) {
                        sink.write(text.header(format));
                        for (RunSeries run : runs) {
                            writeSample(sink, text, run.labels, run.runs());
                        }
                    }
                }
                default -> throw new IllegalStateException("no writer for " + family);
            }
        }
        sink.flush();
    }

    /**
     * Whether one of {@code pairs} has a line in a family of counted runs ({@code counted}), or in a state family:
     * a family without a line has no header either, as the client writes it.
     */
    private static boolean any(Collection<PairSeries> pairs, boolean counted) {
        for (PairSeries pair : pairs) {
            if (counted ? pair.counted() : pair.hasState()) {
                return true;
            }
        }
        return false;
    }

    /** A counter or gauge line; the client writes both as doubles. */
    private static void writeSample(ByteSink sink, FamilyText text, byte[] labels, double value) throws IOException {
        sink.write(text.sampleOpen);
        sink.write(labels);
        sink.write(FamilyText.CLOSE);
        sink.writeDouble(value);
        sink.write((byte) '\n');
    }

    private static void writeHistogram(ByteSink sink, FamilyText text, byte[] labels, long[] cumulative, double sum)
            throws IOException {
        int buckets = text.bucketClose.length;
        for (int i = 0; i < buckets; i++) {
            sink.write(text.bucketOpen);
            sink.write(labels);
            sink.write(text.bucketClose[i]);
            sink.writeLong(cumulative[i]);
            sink.write((byte) '\n');
        }
        sink.write(text.countOpen);
        sink.write(labels);
        sink.write(FamilyText.CLOSE);
        sink.writeLong(cumulative[buckets - 1]);
        sink.write((byte) '\n');
        sink.write(text.sumOpen);
        sink.write(labels);
        sink.write(FamilyText.CLOSE);
        sink.writeDouble(sum);
        sink.write((byte) '\n');
    }

    /** The fixed bytes of one family's lines. */
    private static final class FamilyText {

        static final byte[] CLOSE = ascii("} ");

        final byte[] prometheusHeader;
        final byte[] openMetricsHeader;
        /** {@code name{} or {@code name_total{}. */
        final byte[] sampleOpen;
        final byte[] bucketOpen;
        /** {@code ,le="edge"} } per edge, +Inf last. */
        final byte[][] bucketClose;
        final byte[] countOpen;
        final byte[] sumOpen;

        FamilyText(RunFamily family) {
            String type = family.type.name().toLowerCase(java.util.Locale.ROOT);
            boolean counter = family.type == RunFamily.Type.COUNTER;
            String sampleName = counter ? family.name + "_total" : family.name;
            // Prometheus text 0.0.4 names a counter's family with its _total and escapes \ and newline in HELP;
            // OpenMetrics names it without, puts TYPE first and escapes " too.
            prometheusHeader = utf8("# HELP " + sampleName + " " + escapeHelp(family.help, false) + "\n"
                    + "# TYPE " + sampleName + " " + type + "\n");
            openMetricsHeader = utf8("# TYPE " + family.name + " " + type + "\n"
                    + "# HELP " + family.name + " " + escapeHelp(family.help, true) + "\n");
            sampleOpen = ascii(sampleName + "{");
            bucketOpen = ascii(family.name + "_bucket{");
            countOpen = ascii(family.name + "_count{");
            sumOpen = ascii(family.name + "_sum{");
            if (family.edges == null) {
                bucketClose = new byte[0][];
            } else {
                bucketClose = new byte[family.edges.length + 1][];
                for (int i = 0; i < family.edges.length; i++) {
                    bucketClose[i] = ascii(",le=\"" + Double.toString(family.edges[i]) + "\"} ");
                }
                bucketClose[family.edges.length] = ascii(",le=\"+Inf\"} ");
            }
        }

        byte[] header(ExpositionFormat format) {
            return format == ExpositionFormat.OPENMETRICS ? openMetricsHeader : prometheusHeader;
        }

        private static String escapeHelp(String help, boolean quotes) {
            String escaped = help.replace("\\", "\\\\").replace("\n", "\\n");
            return quotes ? escaped.replace("\"", "\\\"") : escaped;
        }

        private static byte[] ascii(String text) {
            return text.getBytes(StandardCharsets.US_ASCII);
        }

        private static byte[] utf8(String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }
}
