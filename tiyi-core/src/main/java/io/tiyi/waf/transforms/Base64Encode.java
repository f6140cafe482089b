package io.tiyi.waf.transforms;

import java.util.Base64;

/**
 * {@code t:base64Encode}: encodes the bytes as standard Base64 with {@code =} padding, on one line.
 *
 * <p>Example: {@code t:base64Encode} turns {@code <script>} into {@code PHNjcmlwdD4=}.
 *
 * <p>Edge cases: the empty string stays empty (returned as it is).
 */
final class Base64Encode implements Transformation {

    Base64Encode() {
    }

    @Override
    public String name() {
        return "base64Encode";
    }

    @Override
    public String apply(String input) {
        if (input.isEmpty()) {
            return input;
        }
        return ByteChars.fromBytes(Base64.getEncoder().encode(ByteChars.toBytes(input)));
    }
}
