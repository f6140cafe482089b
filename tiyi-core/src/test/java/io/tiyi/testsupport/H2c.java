package io.tiyi.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One HTTP/2 request over cleartext with prior knowledge, written frame by frame, so that a test
 * can send what no HTTP/2 library would (CR, LF or NUL in a field value or in {@code :path}).
 * Header fields go as HPACK literals without Huffman coding.
 */
public final class H2c {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private H2c() {}

    /**
     * Sends one request ({@code fields} as name/value pairs, pseudo-headers first) and returns the
     * {@code :status} of the answer, or -1 when the connection ended without one.
     */
    public static int request(InetSocketAddress addr, List<String[]> fields) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(addr, 2000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(PREFACE);
            frame(out, 4, 0, 0, new byte[0]);
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            for (String[] f : fields) {
                block.write(0);
                string(block, f[0]);
                string(block, f[1]);
            }
            frame(out, 1, 0x5, 1, block.toByteArray());
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            while (true) {
                int len;
                try {
                    len = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                } catch (EOFException e) {
                    return -1;
                }
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[len];
                in.readFully(payload);
                if (type == 4 && (flags & 1) == 0) {
                    frame(out, 4, 1, 0, new byte[0]);
                } else if (type == 7) {
                    return -1;
                } else if (type == 1 && stream == 1) {
                    return status(payload, flags);
                }
            }
        }
    }

    /** The :status of a response header block: a static-table index, or a literal of the :status name. */
    private static int status(byte[] p, int flags) {
        int i = 0;
        if ((flags & 0x8) != 0) {
            i++;
        }
        if ((flags & 0x20) != 0) {
            i += 5;
        }
        int b = p[i] & 0xff;
        switch (b) {
            case 0x88: return 200;
            case 0x89: return 204;
            case 0x8a: return 206;
            case 0x8b: return 304;
            case 0x8c: return 400;
            case 0x8d: return 404;
            case 0x8e: return 500;
            default:
                break;
        }
        // A literal with the :status name by index (8): the value follows as a plain 3-byte string.
        if ((b & 0xf0) == 0x00 || (b & 0xc0) == 0x40 || (b & 0xf0) == 0x10) {
            int v = i + 1;
            if ((p[v] & 0x80) == 0 && (p[v] & 0x7f) == 3) {
                return Integer.parseInt(new String(p, v + 1, 3, StandardCharsets.ISO_8859_1));
            }
        }
        return 0;
    }

    private static void string(ByteArrayOutputStream b, String s) {
        byte[] v = s.getBytes(StandardCharsets.ISO_8859_1);
        int n = v.length;
        if (n < 127) {
            b.write(n);
        } else {
            b.write(127);
            n -= 127;
            while (n >= 128) {
                b.write((n & 0x7f) | 0x80);
                n >>>= 7;
            }
            b.write(n);
        }
        b.write(v, 0, v.length);
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type, (byte) flags, (byte) (stream >>> 24),
                (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
        out.write(payload);
    }
}
