package io.ingestobs.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A Loki push endpoint that acknowledges at once (204), on plain sockets: HTTP/1.1 with keep-alive, the body read
 * into a reused buffer; entries counted by counting the {@code ["} that open each {@code ["<nanos>","<line>"]}
 * value (the bench's lines hold no {@code [}), and, when asked, each entry's {@code objet.id} handed to a listener
 * (the latency probe). No JSON parsing, no HTTP framework: the pipeline, not the server, is what is measured.
 */
final class LeanLoki implements AutoCloseable {

    private static final byte[] ID_MARK = "objet\\\":{\\\"id\\\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_CONTENT = "HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_FOUND = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong handlerNanos = new AtomicLong();
    private volatile boolean closed;
    private volatile long firstPushNanos;
    private volatile long firstPushEntries;
    private volatile long lastPushNanos;
    private volatile LongConsumer idListener;
    private volatile long halfAt;
    private volatile long halfNanos;
    private volatile long halfEntries;

    LeanLoki() throws IOException {
        server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "lean-loki-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    void onIds(LongConsumer listener) {
        this.idListener = listener;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread connection = new Thread(() -> serve(socket), "lean-loki");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One keep-alive connection: request after request until the client closes it. */
    private void serve(Socket socket) {
        byte[] body = new byte[1 << 20];
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
             OutputStream out = socket.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                long start = System.nanoTime();
                int length = contentLength(head);
                if (length > body.length) {
                    body = new byte[Math.max(length, body.length * 2)];
                }
                int off = 0;
                while (off < length) {
                    int n = in.read(body, off, length - off);
                    if (n < 0) {
                        return;
                    }
                    off += n;
                }
                if (head.startsWith("POST /loki/api/v1/push")) {
                    count(body, length);
                    out.write(NO_CONTENT);
                } else {
                    out.write(NOT_FOUND);
                }
                out.flush();
                handlerNanos.addAndGet(System.nanoTime() - start);
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** The request line and headers, up to the blank line; null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder(256);
        int state = 0;
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            // \r\n\r\n
            state = (c == '\r' && (state == 0 || state == 2)) ? state + 1
                    : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                return head.toString();
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        String lower = head.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("\ncontent-length:");
        if (at < 0) {
            return 0;
        }
        int end = lower.indexOf('\r', at + 1);
        return Integer.parseInt(lower.substring(at + "\ncontent-length:".length(), end).trim());
    }

    private void count(byte[] body, int length) {
        long now = System.nanoTime();
        int count = 0;
        LongConsumer ids = idListener;
        for (int i = 0; i + 1 < length; i++) {
            if (body[i] == '[' && body[i + 1] == '"') {
                count++;
            } else if (ids != null && body[i] == 'o' && matches(body, length, i, ID_MARK)) {
                int j = i + ID_MARK.length;
                long id = 0;
                while (j < length && body[j] >= '0' && body[j] <= '9') {
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
        bytes.addAndGet(length);
    }

    private static boolean matches(byte[] body, int length, int at, byte[] mark) {
        if (at + mark.length > length) {
            return false;
        }
        for (int k = 0; k < mark.length; k++) {
            if (body[at + k] != mark[k]) {
                return false;
            }
        }
        return true;
    }

    /** Time spent serving pushes (reading the body, counting, answering), all requests together. */
    long handlerMillis() {
        return handlerNanos.get() / 1_000_000;
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

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
