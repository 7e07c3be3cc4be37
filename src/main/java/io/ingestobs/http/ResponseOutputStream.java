package io.ingestobs.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A chunked Vert.x response as a blocking stream, for a writer running on a worker thread: each write is sent
 * as it comes, and a write waits while the connection's queue is full, so a 70 MiB exposition never sits whole
 * in memory and a slow client slows the writer down instead of filling the heap.
 */
final class ResponseOutputStream extends OutputStream {

    /** Bytes queued on the connection before a write waits: several chunks in flight, not the whole scrape. */
    private static final int QUEUE_BYTES = 4 * 1024 * 1024;
    private static final long STALL_SECONDS = 30;

    private final HttpServerResponse response;
    private long bytes;

    ResponseOutputStream(HttpServerResponse response) {
        this.response = response;
        response.setChunked(true);
        response.setWriteQueueMaxSize(QUEUE_BYTES);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return;
        }
        awaitRoom();
        // copied: the caller reuses its array for the next chunk while this one is still queued
        response.write(Buffer.buffer(length).appendBytes(bytes, offset, length));
        this.bytes += length;
    }

    /** Bytes written so far. */
    long bytes() {
        return bytes;
    }

    private void awaitRoom() throws IOException {
        if (response.closed()) {
            throw new IOException("the client closed the connection");
        }
        if (!response.writeQueueFull()) {
            return;
        }
        CountDownLatch drained = new CountDownLatch(1);
        response.drainHandler(v -> drained.countDown());
        // the queue may have drained before the handler was set: then it will not be called
        if (!response.writeQueueFull()) {
            return;
        }
        // Waits in slices, not interruptibly: the worker threads are Vert.x's, shared by every blocking handler, and
        // an interrupt left on one by other work must not cut a scrape (a test saw one fail that way). A client
        // that goes away closes the response, which ends the wait.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STALL_SECONDS);
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    if (drained.await(100, TimeUnit.MILLISECONDS) || !response.writeQueueFull()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (response.closed()) {
                    throw new IOException("the client closed the connection");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the client read nothing for " + STALL_SECONDS + " s");
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
