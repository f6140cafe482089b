package io.tiyi.waf.body;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.brotli.dec.BrotliInputStream;

/**
 * A request body's {@code Content-Encoding} undone, so that the rules read what the application
 * will: {@code gzip} (and {@code x-gzip}), {@code deflate} (zlib as RFC 9110 says, or the raw
 * deflate some clients send), {@code br}, and {@code identity}, undone last-applied first.
 *
 * <p>The decoded body is bounded by a limit (the rule set's request body limit): a small body
 * that expands past it is cut there and reported {@linkplain Decoded#truncated() truncated}, so a
 * compression bomb costs at most the limit. A coding this class cannot undo, a stream that is not
 * what its coding says, or more than {@link #MAX_CODINGS} codings are reported as an
 * {@linkplain Decoded#error() error}: the body was not inspected as the application will read it.
 */
public final class ContentCoding {
    /** Codings undone for one body; a longer list is refused rather than decoded layer after layer. */
    public static final int MAX_CODINGS = 3;
    private static final int CHUNK = 8192;

    private ContentCoding() {}

    /**
     * A decoding's outcome: the decoded bytes (the input itself when nothing needed undoing),
     * whether they were cut at the limit, and why decoding failed (null when it did not).
     */
    public record Decoded(byte[] body, int length, boolean truncated, String error) {}

    /**
     * The codings a {@code Content-Encoding} value lists, lower-cased, without {@code identity},
     * in the order they were applied; empty when there is nothing to undo.
     */
    public static List<String> codings(String header) {
        List<String> out = new ArrayList<>(2);
        if (header == null) {
            return out;
        }
        for (String part : header.split(",")) {
            String c = part.strip().toLowerCase(Locale.ROOT);
            if (!c.isEmpty() && !c.equals("identity")) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Undoes {@code header}'s codings on the first {@code length} bytes of {@code body}.
     *
     * @param limit the most decoded bytes kept
     * @param inputCut whether {@code body} is itself only the start of the body (cut at the limit
     *     on arrival): its stream then ends early, which is not an error
     */
    public static Decoded decode(String header, byte[] body, int length, long limit, boolean inputCut) {
        List<String> codings = codings(header);
        if (codings.isEmpty()) {
            return new Decoded(body, length, false, null);
        }
        if (codings.size() > MAX_CODINGS) {
            return new Decoded(body, length, false,
                    "Content-Encoding lists " + codings.size() + " codings; at most " + MAX_CODINGS + " are decoded for inspection");
        }
        for (String c : codings) {
            if (!supported(c)) {
                return new Decoded(body, length, false,
                        "Content-Encoding '" + c + "' cannot be decoded for inspection (gzip, deflate and br can)");
            }
        }
        byte[] current = body;
        int currentLength = length;
        boolean cut = inputCut;
        for (int i = codings.size() - 1; i >= 0; i--) {
            String c = codings.get(i);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(currentLength * 4 + 64, (int) Math.min(limit, 1 << 20)));
            try (InputStream in = open(c, current, currentLength)) {
                cut |= copy(in, out, limit);
            } catch (EOFException e) {
                if (!cut) {
                    return new Decoded(body, length, false, "Content-Encoding " + c + ": the body ends before its compressed stream does");
                }
            } catch (IOException | RuntimeException e) {
                // BrotliInputStream reports corrupt input with an unchecked exception.
                return new Decoded(body, length, false, "Content-Encoding " + c + ": the body is not valid " + c + " (" + reason(e) + ")");
            }
            current = out.toByteArray();
            currentLength = current.length;
        }
        return new Decoded(current, currentLength, cut, null);
    }

    private static boolean supported(String coding) {
        return switch (coding) {
            case "gzip", "x-gzip", "deflate", "br" -> true;
            default -> false;
        };
    }

    private static InputStream open(String coding, byte[] body, int length) throws IOException {
        ByteArrayInputStream raw = new ByteArrayInputStream(body, 0, length);
        return switch (coding) {
            case "gzip", "x-gzip" -> new GZIPInputStream(raw, CHUNK);
            case "deflate" -> new Inflating(raw, new Inflater(!zlibHeader(body, length)));
            case "br" -> new BrotliInputStream(raw);
            default -> throw new IllegalArgumentException(coding);
        };
    }

    /** RFC 1950: deflate method, and the first two bytes a multiple of 31 when read big-endian. */
    private static boolean zlibHeader(byte[] b, int length) {
        return length >= 2 && (b[0] & 0x0f) == 8 && (((b[0] & 0xff) << 8) | (b[1] & 0xff)) % 31 == 0;
    }

    /** Copies up to {@code limit} bytes; true when there were more. */
    private static boolean copy(InputStream in, ByteArrayOutputStream out, long limit) throws IOException {
        byte[] buf = new byte[CHUNK];
        long room = limit;
        while (true) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, room + 1));
            if (n < 0) {
                return false;
            }
            if (n > room) {
                out.write(buf, 0, (int) room);
                return true;
            }
            out.write(buf, 0, n);
            room -= n;
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** An inflating stream that frees its inflater's native memory when closed. */
    private static final class Inflating extends InflaterInputStream {
        Inflating(InputStream in, Inflater inflater) {
            super(in, inflater, CHUNK);
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                inf.end();
            }
        }
    }
}
