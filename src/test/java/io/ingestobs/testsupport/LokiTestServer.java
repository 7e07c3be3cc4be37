package io.ingestobs.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A server that speaks Loki's push API ({@code POST /loki/api/v1/push}, JSON) and answers as Loki does: 204 on
 * success, 400 with a reason for refused content, 429 with Retry-After, 5xx. It keeps the entries it stored,
 * dropping exact duplicates as Loki does, and can be told to fail.
 */
public final class LokiTestServer implements AutoCloseable {

    /** How a push with some refused entries is handled: Loki stores the rest; a stricter server stores none. */
    public enum PartialMode { LOKI, STRICT }

    public record Entry(Map<String, String> labels, String timestamp, String line) {
    }

    /** A forced answer for one of the next requests. */
    public record Answer(int status, String body, String retryAfter) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final HttpServer server;
    private final Set<Entry> stored = Collections.synchronizedSet(new LinkedHashSet<>());
    private final ConcurrentLinkedQueue<Answer> forced = new ConcurrentLinkedQueue<>();
    private final List<Map<String, String>> requestHeaders = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger entriesReceived = new AtomicInteger();
    private volatile Predicate<String> refuseLine = line -> false;
    private volatile PartialMode partialMode = PartialMode.LOKI;
    private volatile long delayMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final java.util.Set<HttpExchange> left = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile long downUntilNanos;
    private final AtomicInteger stalledPushes = new AtomicInteger();
    private volatile long stallMillis;
    private final AtomicInteger queries = new AtomicInteger();
    private volatile boolean queriesStalled;
    private volatile int downStatus;
    private volatile Function<List<Entry>, Answer> pushHook = entries -> null;

    public LokiTestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/loki/api/v1/push", this::handle);
        server.createContext("/loki/api/v1/query_range", this::query);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void answerNext(Answer... answers) {
        forced.addAll(List.of(answers));
    }

    /**
     * Sees every well-formed push first, on the request's own thread (it may hold it there): an answer sends it
     * instead of storing anything; null lets the push be handled as usual.
     */
    public void onPush(Function<List<Entry>, Answer> hook) {
        this.pushHook = hook;
    }

    public void refuseLinesMatching(Predicate<String> predicate, PartialMode mode) {
        this.refuseLine = predicate;
        this.partialMode = mode;
    }

    /** Answers {@code status} to every push for {@code duration}: Loki down, or behind a failing gateway. */
    public void downFor(java.time.Duration duration, int status) {
        this.downStatus = status;
        this.downUntilNanos = System.nanoTime() + duration.toNanos();
    }

    public boolean isDown() {
        return System.nanoTime() < downUntilNanos;
    }

    /** Distinct lines stored: what a user counts in Loki, whatever the number of requests. */
    public Set<String> distinctLines() {
        synchronized (stored) {
            Set<String> lines = new java.util.HashSet<>();
            stored.forEach(e -> lines.add(e.line()));
            return lines;
        }
    }

    /**
     * The next {@code pushes} push requests are stored, then answered only after {@code millis}: a Loki that took
     * them and stalled before answering (a client with a shorter timeout sees no answer).
     */
    public void stallNextPushes(int pushes, long millis) {
        this.stallMillis = millis;
        this.stalledPushes.set(pushes);
    }

    /** While true, queries get no answer in time either (a Loki still frozen). */
    public void stallQueries(boolean stalled) {
        this.queriesStalled = stalled;
    }

    /** query_range requests received. */
    public int queryCount() {
        return queries.get();
    }

    public void delayEachResponse(long millis) {
        this.delayMillis = millis;
    }

    public List<Entry> entries() {
        synchronized (stored) {
            return new ArrayList<>(stored);
        }
    }

    public int requestCount() {
        return requests.get();
    }

    public int entriesReceived() {
        return entriesReceived.get();
    }

    public List<Map<String, String>> requestHeaders() {
        synchronized (requestHeaders) {
            return new ArrayList<>(requestHeaders);
        }
    }

    /** The most push requests this server was handling at the same moment. */
    public int maxRequestsInFlight() {
        return maxInFlight.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            handleOne(exchange);
        } finally {
            leave(exchange);
            left.remove(exchange);
        }
    }

    /**
     * A request stops being in flight before its answer is sent: once the client has the answer it may send its
     * next request, which must not be seen overlapping this one (a CI run under load saw 2 with one at a time).
     */
    private void leave(HttpExchange exchange) {
        // (HttpExchange attributes are shared by the whole context: a set of this server's own instead)
        if (left.add(exchange)) {
            inFlight.decrementAndGet();
        }
    }

    private void handleOne(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/loki/api/v1/push")) {
                // the JDK server matches contexts by prefix; Loki's router does not
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            requests.incrementAndGet();
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            requestHeaders.add(headers);
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "method not allowed", null);
                return;
            }
            if (isDown()) {
                respond(exchange, downStatus, "Loki is down (test)", null);
                return;
            }
            Answer answer = forced.poll();
            if (answer != null) {
                respond(exchange, answer.status(), answer.body(), answer.retryAfter());
                return;
            }
            List<Entry> entries;
            try {
                entries = parse(body);
            } catch (IllegalArgumentException e) {
                respond(exchange, 400, e.getMessage(), null);
                return;
            }
            Answer hooked = pushHook.apply(entries);
            if (hooked != null) {
                respond(exchange, hooked.status(), hooked.body(), hooked.retryAfter());
                return;
            }
            entriesReceived.addAndGet(entries.size());
            List<String> refusals = new ArrayList<>();
            List<Entry> accepted = new ArrayList<>();
            for (Entry entry : entries) {
                if (refuseLine.test(entry.line())) {
                    refusals.add("entry for stream '" + entry.labels() + "' has timestamp too old: "
                            + entry.timestamp());
                } else {
                    accepted.add(entry);
                }
            }
            if (refusals.isEmpty() || partialMode == PartialMode.LOKI) {
                stored.addAll(accepted);
            }
            if (stalledPushes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                Thread.sleep(stallMillis);
            }
            if (refusals.isEmpty()) {
                respond(exchange, 204, "", null);
            } else {
                respond(exchange, 400, String.join("\n", refusals) + "\ntotal ignored: " + refusals.size()
                        + " out of " + entries.size(), null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code GET /loki/api/v1/query_range}: the stored entries of the streams the selector's label matchers
     * ({@code name="value"} only) select, with start <= time < end, as Loki answers ({@code data.result[].values}).
     */
    private void query(HttpExchange exchange) throws IOException {
        try (exchange) {
            queries.incrementAndGet();
            if (queriesStalled) {
                Thread.sleep(stallMillis);
            }
            Map<String, String> params = new LinkedHashMap<>();
            String raw = exchange.getRequestURI().getRawQuery();
            for (String pair : raw == null ? new String[0] : raw.split("&")) {
                int eq = pair.indexOf('=');
                params.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            Map<String, String> matchers = new LinkedHashMap<>();
            java.util.regex.Matcher m = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")
                    .matcher(params.getOrDefault("query", ""));
            while (m.find()) {
                matchers.put(m.group(1), m.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
            }
            long start = Long.parseLong(params.getOrDefault("start", "0"));
            long end = Long.parseLong(params.getOrDefault("end", Long.toString(Long.MAX_VALUE)));
            com.fasterxml.jackson.databind.node.ObjectNode root = MAPPER.createObjectNode().put("status", "success");
            com.fasterxml.jackson.databind.node.ArrayNode result = root.putObject("data")
                    .put("resultType", "streams").putArray("result");
            Map<Map<String, String>, com.fasterxml.jackson.databind.node.ArrayNode> streams = new LinkedHashMap<>();
            for (Entry entry : entries()) {
                long time = Long.parseLong(entry.timestamp());
                if (time < start || time >= end || !entry.labels().entrySet().containsAll(matchers.entrySet())) {
                    continue;
                }
                streams.computeIfAbsent(entry.labels(), labels -> {
                    com.fasterxml.jackson.databind.node.ObjectNode stream = result.addObject();
                    labels.forEach(stream.putObject("stream")::put);
                    return stream.putArray("values");
                }).addArray().add(entry.timestamp()).add(entry.line());
            }
            byte[] bytes = MAPPER.writeValueAsBytes(root);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<Entry> parse(byte[] body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("loghttp.PushRequest.Streams: ReadArray: expect [ or , or ] or n");
        }
        JsonNode streams = root == null ? null : root.get("streams");
        if (streams == null || !streams.isArray()) {
            throw new IllegalArgumentException("error at least one label pair is required per stream");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode stream : streams) {
            JsonNode labelsNode = stream.get("stream");
            if (labelsNode == null || !labelsNode.isObject() || labelsNode.isEmpty()) {
                throw new IllegalArgumentException("error at least one label pair is required per stream");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = labelsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> label = it.next();
                if (!LABEL_NAME.matcher(label.getKey()).matches() || !label.getValue().isTextual()) {
                    throw new IllegalArgumentException("error parsing labels: invalid label " + label.getKey());
                }
                labels.put(label.getKey(), label.getValue().textValue());
            }
            JsonNode values = stream.get("values");
            if (values == null || !values.isArray()) {
                throw new IllegalArgumentException("values must be an array");
            }
            for (JsonNode value : values) {
                if (!value.isArray() || value.size() < 2 || !value.get(0).isTextual() || !value.get(1).isTextual()
                        || !value.get(0).textValue().matches("\\d+")) {
                    throw new IllegalArgumentException("values must be [\"<unix epoch in nanoseconds>\", \"<line>\"]");
                }
                entries.add(new Entry(labels, value.get(0).textValue(), value.get(1).textValue()));
            }
        }
        return entries;
    }

    private void respond(HttpExchange exchange, int status, String body, String retryAfter)
            throws IOException {
        leave(exchange);
        if (retryAfter != null) {
            exchange.getResponseHeaders().add("Retry-After", retryAfter);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, status == 204 ? -1 : bytes.length);
        if (status != 204) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
