# Ingestion observability pipeline: one image for every role (ROLE=consumer | producer | all).
#
#   docker build -t ingestion-observability .
#   docker run --rm -p 8000:8000 ingestion-observability          # ROLE=all: embedded Kafka, demo on :8000
#
# Written for the classic builder as well as BuildKit (no RUN --mount, no heredocs), so that
# docker-compose 1.29 and `docker compose` v2 both build it.

ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

# ---------------------------------------------------------------------------------------------
# Build stage: dependencies first (cached while pom.xml does not change), then the sources.
# ---------------------------------------------------------------------------------------------
FROM ${MAVEN_IMAGE} AS build
WORKDIR /build

COPY pom.xml ./
RUN mvn -B -ntp dependency:go-offline

COPY src ./src
RUN mvn -B -ntp package -DskipTests \
 && test -f target/ingestion-observability.jar

# ---------------------------------------------------------------------------------------------
# Runtime stage: JRE only, non-root user, the one self-contained jar (every dependency and the routes inside).
# ---------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}

LABEL org.opencontainers.image.title="ingestion-observability" \
      org.opencontainers.image.description="Connector run logs to Kafka, Prometheus metrics and Loki (Apache Camel)" \
      org.opencontainers.image.licenses="Apache-2.0"

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

COPY --from=build /build/target/ingestion-observability.jar ./ingestion-observability.jar
# YAML routes on disk (the jar carries the same ones, used when /app/routes is absent): mount ../routes over
# /app/routes with ROUTES_RELOAD=true for live edits. The sample input read by ROLE=producer / ROLE=all
# (LOGS_FILE_PATH=logs.json).
COPY routes/ ./routes/
COPY logs.json ./logs.json

# /app/data: a writable place for state the application may keep (e.g. INPUT_DIR bookkeeping); the rest of
# /app is read-only for the runtime user.
RUN mkdir -p /app/data \
 && chown app:app /app/data

# A fixed, pre-touched 256 MiB heap and the throughput collector (docs/benchmark.md). The consumer keeps ~40 MiB
# live with 10k source/objet pairs (~3 KB a pair: raise -Xmx/-Xms with far more) and one batch in flight. Left to
# size itself, the heap grows towards a quarter of the host's memory and the page faults of the growing heap cost
# more CPU than the collections they save. G1, in a heap this small, takes each Kafka fetch buffer and Loki body
# for a humongous object and fell into runs of marking cycles; ParallelGC has no such case, and its pauses (a few
# ms, ~100 ms for a full collection of 256 MiB) are nothing to a pipeline that batches by the second. Half the heap
# young (NewRatio=1): a consumed batch lives for tens of ms, and a young generation of a third let it be copied
# and promoted; the old half holds the meters (~3 KB a source/objet pair) with room.
ENV JAVA_OPTS="-Xms256m -Xmx256m -XX:+AlwaysPreTouch -XX:+UseParallelGC -XX:NewRatio=1 -XX:+ExitOnOutOfMemoryError"

USER 10001:10001

# Metrics (/metrics) and health (/health) of the consumer (ROLE=consumer or all). ROLE=producer opens no port.
EXPOSE 8000

# The JRE image is not guaranteed to ship curl or wget: use bash's /dev/tcp. /health answers 503 when the
# application is not ready, so only an HTTP 200 status line counts as healthy.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${METRICS_PORT:-8000} && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && IFS= read -r -t 4 status <&3 && [[ $status == HTTP/1.?' 200'* ]]"]

# Trailing arguments are ignored on purpose (SPEC §6): `docker compose run --rm producer` and
# `docker compose run --rm producer python producer.py` both just run the jar. With `sh -c SCRIPT NAME ARGS...`
# the extra words become $1.. of a script that never reads them. JAVA_OPTS is split on spaces on purpose.
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar /app/ingestion-observability.jar", "ingestion-observability"]
CMD []
