package io.tiyi.client.rpc;

/** An RPC request or response with no fields. */
public record Empty() {
    /** The one empty value. */
    public static final Empty INSTANCE = new Empty();
}
