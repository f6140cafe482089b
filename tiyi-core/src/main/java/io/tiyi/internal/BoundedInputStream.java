package io.tiyi.internal;

import io.tiyi.TiyiException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Stops a decompressed stream at a number of bytes: a small gzip can expand without end, and the
 * tar reader buffers some headers (PAX records) whole before any limit of ours sees them.
 */
public final class BoundedInputStream extends FilterInputStream {
    private final long limit;
    private long count;

    public BoundedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = in.skip(n);
        if (s > 0) {
            counted(s);
        }
        return s;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void counted(long n) {
        count += n;
        if (count > limit) {
            throw TiyiException.invalid("the tarball expands to more than " + limit + " bytes (its members' limit plus headers)");
        }
    }
}
