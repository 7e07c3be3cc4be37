package io.ingestobs.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;

/** One look at the log tells what this process is and where to find it. */
final class StartupBanner {

    private static final Logger LOG = LoggerFactory.getLogger("ingestion");

    private StartupBanner() {
    }

    static void print(Role role, String brokers, boolean embedded, Map<String, String> env) {
        String loki = env.getOrDefault("LOKI_URL", "").isBlank() ? "off (LOKI_URL unset)" : env.get("LOKI_URL");
        String port = env.getOrDefault("METRICS_PORT", "8000");
        LOG.info("Ingestion observability pipeline: role={}, kafka={} ({}), loki={}", role.name().toLowerCase(),
                brokers, embedded ? "embedded" : "external", loki);
        RouteFiles routes = RouteFiles.resolve(env, Path.of(""));
        boolean reload = Boolean.parseBoolean(env.getOrDefault("ROUTES_RELOAD", "false").trim());
        if (routes.onDisk()) {
            LOG.info("Routes: {}{}", routes.includePattern(), reload ? " (live reload on)" : "");
        } else {
            LOG.info("Routes: the ones packaged in the jar ({}){}", routes.includePattern(), reload
                    ? "; ROUTES_RELOAD ignored: copy routes/ beside the jar or set ROUTES_DIR to edit them live"
                    : "");
        }
        if (role.consumes()) {
            LOG.info("Metrics: http://localhost:{}/metrics  Health: http://localhost:{}/health", port, port);
        }
    }
}
