package io.tiyi.proxy;

import java.io.IOException;

/**
 * Follows a chunked request body byte by byte to find where it ends, so that the next request
 * on the connection is read from the right byte. Strict: a chunk size is hex digits only (at most
 * 15 of them), optionally followed by extensions; every line ends with CRLF; trailer fields are
 * held to the same rules as header fields. Anything else is a framing error: the connection is
 * closed rather than guessed at, since a body whose end two parsers disagree on is where a second,
 * smuggled request hides.
 */
final class ChunkedFramer {
    private enum State {
        SIZE,
        EXTENSION,
        SIZE_LF,
        DATA,
        DATA_CR,
        DATA_LF,
        TRAILER_START,
        TRAILER,
        TRAILER_LF,
        LAST_LF,
        DONE
    }

    private static final int MAX_EXTENSION = 4096;
    private static final int MAX_TRAILERS = 16 * 1024;

    private State state = State.SIZE;
    private long size;
    private int digits;
    private long remaining;
    private int lineBytes;
    private int trailerBytes;

    /**
     * Consumes bytes {@code b[from, to)} and returns how many belong to the body: all of them, or
     * fewer when the body ended inside them.
     *
     * @throws IOException on a framing error, naming it
     */
    int advance(byte[] b, int from, int to) throws IOException {
        int i = from;
        while (i < to && state != State.DONE) {
            if (state == State.DATA) {
                long take = Math.min(remaining, to - i);
                i += (int) take;
                remaining -= take;
                if (remaining == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            byte c = b[i++];
            switch (state) {
                case SIZE -> {
                    int d = Character.digit(c, 16);
                    if (d >= 0 && c < 0x80) {
                        if (++digits > 15) {
                            throw error("a chunk size of more than 15 hex digits");
                        }
                        size = size * 16 + d;
                    } else if (digits == 0) {
                        throw error("a chunk size that does not start with a hex digit");
                    } else if (c == ';') {
                        state = State.EXTENSION;
                        lineBytes = 0;
                    } else if (c == '\r') {
                        state = State.SIZE_LF;
                    } else {
                        throw error("byte " + RequestHead.hex(c) + " after a chunk size");
                    }
                }
                case EXTENSION -> {
                    if (c == '\r') {
                        state = State.SIZE_LF;
                    } else if ((RequestHead.ctl(c) && c != '\t') || ++lineBytes > MAX_EXTENSION) {
                        throw error(lineBytes > MAX_EXTENSION ? "a chunk extension longer than " + MAX_EXTENSION + " bytes"
                                : "control byte " + RequestHead.hex(c) + " in a chunk extension");
                    }
                }
                case SIZE_LF -> {
                    expectLf(c, "chunk size");
                    if (size == 0) {
                        state = State.TRAILER_START;
                    } else {
                        remaining = size;
                        state = State.DATA;
                    }
                    size = 0;
                    digits = 0;
                }
                case DATA_CR -> {
                    if (c != '\r') {
                        throw error("chunk data longer than its size");
                    }
                    state = State.DATA_LF;
                }
                case DATA_LF -> {
                    expectLf(c, "chunk data");
                    state = State.SIZE;
                }
                case TRAILER_START -> {
                    if (c == '\r') {
                        state = State.LAST_LF;
                    } else {
                        trailer(c);
                        state = State.TRAILER;
                    }
                }
                case TRAILER -> {
                    if (c == '\r') {
                        state = State.TRAILER_LF;
                    } else {
                        trailer(c);
                    }
                }
                case TRAILER_LF -> {
                    expectLf(c, "trailer field");
                    state = State.TRAILER_START;
                }
                case LAST_LF -> {
                    expectLf(c, "chunked body");
                    state = State.DONE;
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
        return i - from;
    }

    /** Whether the body has ended. */
    boolean done() {
        return state == State.DONE;
    }

    private void trailer(byte c) throws IOException {
        if (RequestHead.ctl(c) && c != '\t') {
            throw error("control byte " + RequestHead.hex(c) + " in a trailer field");
        }
        if (++trailerBytes > MAX_TRAILERS) {
            throw error("trailer fields longer than " + MAX_TRAILERS + " bytes");
        }
    }

    private static void expectLf(byte c, String what) throws IOException {
        if (c != '\n') {
            throw error("a " + what + " line not ended by CRLF");
        }
    }

    private static IOException error(String what) {
        return new IOException("malformed chunked request body: " + what);
    }
}
