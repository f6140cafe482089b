package io.tiyi.cluster;

/**
 * When a download by range gives up: after {@link #limit} attempts in a row that each failed
 * without moving the partial file forward. An attempt that fetched something before it failed
 * starts the count again. The primary's limit on unauthenticated calls (10 a second, bursts of
 * 20) refuses a seeding secondary's range requests with 429 every few dozen MiB. On a large
 * snapshot that happens many times, always after progress. Counting every failure would give up
 * on a transfer that is still advancing.
 */
final class TransferAttempts {
    private final int limit;
    private int withoutProgress;

    /** @param limit attempts in a row without progress before the transfer gives up, at least 1 */
    TransferAttempts(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * Records a failed attempt.
     *
     * @param fetched the bytes the attempt added to the partial file before it failed
     * @return whether another attempt may follow
     */
    boolean failed(long fetched) {
        withoutProgress = fetched > 0 ? 0 : withoutProgress + 1;
        return withoutProgress < limit;
    }

    /** Failed attempts in a row that fetched nothing; 0 right after one that made progress. */
    int withoutProgress() {
        return withoutProgress;
    }

    int limit() {
        return limit;
    }
}
