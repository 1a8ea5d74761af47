package org.trestle.sync.core.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** Counts what is read, refusing past the limit and telling the budget of each megabyte begun. */
final class LimitedStream extends FilterInputStream {

    /** The stream passed its limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("too large", null);
        }
    }

    private static final long STEP = 1L << 20;
    private final long limit;
    private final LongConsumer reserve;
    private long read;
    private long reserved;

    LimitedStream(InputStream in, long limit, LongConsumer reserve) {
        super(in);
        this.limit = limit;
        this.reserve = reserve;
    }

    private void count(long n) throws TooLarge {
        if (n <= 0) {
            return;
        }
        read += n;
        if (read > limit) {
            throw new TooLarge();
        }
        while (reserved < read) {
            reserve.accept(STEP);
            reserved += STEP;
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        count(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        count(skipped);
        return skipped;
    }
}
