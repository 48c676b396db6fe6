package enclave.storage.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * An open committed blob: its properties and its bytes, as they were when it was opened (a concurrent
 * overwrite replaces the file, never the content under an open handle). Close it when done.
 */
public final class BlobContent implements AutoCloseable {
    private final FileChannel channel;
    private final BlobInfo info;

    BlobContent(FileChannel channel, BlobInfo info) {
        this.channel = channel;
        this.info = info;
    }

    public BlobInfo info() {
        return info;
    }

    public InputStream stream() {
        return stream(0, info.size());
    }

    /** The bytes from {@code offset}, at most {@code length} of them (fewer at the end of the blob). */
    public InputStream stream(long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative");
        }
        long end = Math.min(info.size(), offset + length);
        return new RangeStream(channel, Math.min(offset, end), end);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Positional reads, so several streams over one channel do not disturb each other. */
    private static final class RangeStream extends InputStream {
        private final FileChannel channel;
        private final long end;
        private long position;

        RangeStream(FileChannel channel, long start, long end) {
            this.channel = channel;
            this.position = start;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (position >= end) {
                return -1;
            }
            int wanted = (int) Math.min(length, end - position);
            int n = channel.read(ByteBuffer.wrap(buffer, offset, wanted), position);
            if (n < 0) {
                throw new IOException("blob file ended early at " + position);
            }
            position += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long skipped = Math.max(0, Math.min(n, end - position));
            position += skipped;
            return skipped;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, end - position);
        }
    }
}
