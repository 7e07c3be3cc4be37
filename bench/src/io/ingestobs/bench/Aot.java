package io.ingestobs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * BENCH_AOT=1 (a JDK 25+ runtime, see BENCH_JAVA_HOME): each kind of fresh JVM the bench measures (the pipeline's
 * drain, the raw consumer loop, the producer, the raw producer) runs with an AOT cache of its own (JEP 483 classes
 * loaded and linked, JEP 515 method profiles), written by a training run of the same command on a smaller workload
 * before anything is measured ({@code -XX:AOTCacheOutput}, JEP 514). A cache is tied to its JVM and class path, so
 * each kind has its own. The measured runs ask for it with {@code -XX:AOTMode=on} (the JVM stops if it cannot map
 * the cache) and log their class loading, from which the bench counts the classes that came from the cache: a cache
 * refused for the application's classes would show there (docs/benchmark.md, "The Java 17 runtime's share").
 */
final class Aot {

    /**
     * BENCH_AOT=1: caches trained, then used. BENCH_AOT=warmup: the same training runs, as plain JVMs with no cache,
     * then the measured runs as plain JVMs: the control for what the training runs change besides the caches (the
     * broker and the bench's JVM warmed by them).
     */
    static final boolean ENABLED = "1".equals(System.getenv("BENCH_AOT"));
    static final boolean WARMUP_ONLY = "warmup".equals(System.getenv("BENCH_AOT"));
    private static final Path DIR = Path.of("target", "bench", "aot");
    private static volatile boolean training;

    private Aot() {
    }

    /** From now on, {@link #options} write the caches (true) or use them (false). */
    static void training(boolean on) {
        training = on;
    }

    static boolean training() {
        return training;
    }

    /** The JVM options of one kind of JVM: none without BENCH_AOT=1. */
    static List<String> options(String kind) {
        if (!ENABLED) {
            return List.of();
        }
        Path cache = cache(kind);
        if (training) {
            try {
                Files.createDirectories(DIR);
                Files.deleteIfExists(cache);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return List.of("-XX:AOTCacheOutput=" + cache);
        }
        return List.of("-XX:AOTMode=on", "-XX:AOTCache=" + cache, "-Xlog:class+load=info:file=" + classLog(kind));
    }

    /** After a training run: the cache must be there, or the measured run would not be what it says. */
    static String created(String kind) {
        if (WARMUP_ONLY) {
            return "none (BENCH_AOT=warmup)";
        }
        Path cache = cache(kind);
        try {
            if (!Files.exists(cache) || Files.size(cache) == 0) {
                throw new IllegalStateException("no AOT cache " + cache + " after its training run");
            }
            return String.format(Locale.ROOT, "%s: %.0f MiB", cache, Files.size(cache) / 1048576.0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** After a measured run: how many classes the JVM took from the cache and how many it loaded otherwise. */
    static String classesLoaded(String kind) {
        if (!ENABLED || training) {
            return "";
        }
        try (Stream<String> lines = Files.lines(classLog(kind))) {
            long[] counts = new long[2];
            lines.filter(l -> l.contains(" source: ")).forEach(l -> counts[l.contains("source: shared objects file")
                    ? 0 : 1]++);
            if (counts[0] == 0) {
                throw new IllegalStateException("no class came from the AOT cache; see " + classLog(kind));
            }
            return String.format(Locale.ROOT, "AOT cache %s: %d classes loaded from it, %d from elsewhere",
                    cache(kind), counts[0], counts[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path cache(String kind) {
        return DIR.resolve(kind + ".aot");
    }

    private static Path classLog(String kind) {
        return Path.of("target", "bench", kind + "-class-load.log");
    }
}
