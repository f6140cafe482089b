package io.tiyi.api;

/** An RPC request or response with no fields. */
public record Empty() {
    public static final Empty INSTANCE = new Empty();
}
