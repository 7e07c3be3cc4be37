package io.ingestobs.input;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The decompressed bytes of a gzip file, as a stream. A file cut short (an interrupted copy or upload) or broken
 * ends the content where it breaks instead of failing the read, and {@link #cutShort()} says why: what came
 * before goes through, and the reader accounts for the rest (SPEC §2).
 */
final class GzipContent extends InputStream {

    private static final int BUFFER = 1 << 16;

    private final InputStream compressed;
    private GZIPInputStream gzip;
    private IOException cutShort;

    GzipContent(InputStream compressed) {
        this.compressed = compressed;
    }

    /** Whether {@code in}, at its mark-supporting start, holds gzip's magic number. */
    static boolean isGzip(InputStream in) throws IOException {
        in.mark(2);
        try {
            return in.read() == 0x1f && in.read() == 0x8b;
        } finally {
            in.reset();
        }
    }

    /** Why the content ended before the gzip stream did; null while it reads, or when it ended whole. */
    IOException cutShort() {
        return cutShort;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int read = read(one, 0, 1);
        return read < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (cutShort != null) {
            return -1;
        }
        try {
            if (gzip == null) {
                gzip = new GZIPInputStream(compressed, BUFFER);
            }
            return gzip.read(buffer, offset, length);
        } catch (EOFException | ZipException e) {
            // EOFException: the file ends inside the compressed data; ZipException: the data or its trailer is
            // corrupt. Either way no more records can be recovered after this point.
            cutShort = e;
            return -1;
        }
    }

    @Override
    public void close() throws IOException {
        if (gzip != null) {
            gzip.close();
        } else {
            compressed.close();
        }
    }
}
