package io.ingestobs.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A Loki push endpoint that acknowledges at once (204): it reads the body, counts its entries by counting the
 * {@code ["} that open each {@code ["<nanos>","<line>"]} value (the bench's lines hold no {@code [}), and, when
 * asked, hands each entry's {@code objet.id} to a listener (the latency probe). No JSON parsing: the pipeline,
 * not the server, is what is measured.
 */
final class LeanLoki implements AutoCloseable {

    private static final byte[] ID_MARK = "objet\\\":{\\\"id\\\":".getBytes();

    private final HttpServer server;
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong handlerNanos = new AtomicLong();
    private volatile long firstPushNanos;
    private volatile long firstPushEntries;
    private volatile long lastPushNanos;
    private volatile LongConsumer idListener;
    private volatile long halfAt;
    private volatile long halfNanos;
    private volatile long halfEntries;

    LeanLoki() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/loki/api/v1/push", this::push);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "lean-loki");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void onIds(LongConsumer listener) {
        this.idListener = listener;
    }

    private void push(HttpExchange exchange) throws IOException {
        long handlerStart = System.nanoTime();
        byte[] body = readAll(exchange.getRequestBody(), exchange.getRequestHeaders().getFirst("Content-Length"));
        long now = System.nanoTime();
        int count = 0;
        LongConsumer ids = idListener;
        for (int i = 0; i + 1 < body.length; i++) {
            if (body[i] == '[' && body[i + 1] == '"') {
                count++;
            } else if (ids != null && body[i] == 'o' && matches(body, i, ID_MARK)) {
                int j = i + ID_MARK.length;
                long id = 0;
                while (j < body.length && body[j] >= '0' && body[j] <= '9') {
                    id = id * 10 + (body[j++] - '0');
                }
                ids.accept(id);
                i = j - 1;
            }
        }
        synchronized (this) {
            if (firstPushNanos == 0) {
                firstPushNanos = now;
                firstPushEntries = count;
            }
            lastPushNanos = now;
        }
        long total = entries.addAndGet(count);
        if (halfNanos == 0 && halfAt > 0 && total >= halfAt) {
            halfNanos = System.nanoTime();
            halfEntries = total;
        }
        requests.incrementAndGet();
        bytes.addAndGet(body.length);
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
        handlerNanos.addAndGet(System.nanoTime() - handlerStart);
    }

    /** Time spent in the handler (reading the body, counting, answering), all requests together. */
    long handlerMillis() {
        return handlerNanos.get() / 1_000_000;
    }

    private static boolean matches(byte[] body, int at, byte[] mark) {
        if (at + mark.length > body.length) {
            return false;
        }
        for (int k = 0; k < mark.length; k++) {
            if (body[at + k] != mark[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] readAll(InputStream in, String length) throws IOException {
        if (length != null) {
            byte[] body = new byte[Integer.parseInt(length.trim())];
            int off = 0;
            while (off < body.length) {
                int n = in.read(body, off, body.length - off);
                if (n < 0) {
                    break;
                }
                off += n;
            }
            return body;
        }
        return in.readAllBytes();
    }

    /** Notes when the entries received reach {@code count} (to measure the second half of a drain on its own). */
    void markAt(long count) {
        halfAt = count;
    }

    long markNanos() {
        return halfNanos;
    }

    long markEntries() {
        return halfEntries;
    }

    long entries() {
        return entries.get();
    }

    long requests() {
        return requests.get();
    }

    long bytes() {
        return bytes.get();
    }

    long firstPushNanos() {
        return firstPushNanos;
    }

    long firstPushEntries() {
        return firstPushEntries;
    }

    long lastPushNanos() {
        return lastPushNanos;
    }

    synchronized void reset() {
        entries.set(0);
        requests.set(0);
        bytes.set(0);
        firstPushNanos = 0;
        firstPushEntries = 0;
        lastPushNanos = 0;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
