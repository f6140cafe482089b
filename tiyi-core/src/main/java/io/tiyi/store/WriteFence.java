package io.tiyi.store;

import java.util.OptionalLong;
import org.jooq.DSLContext;

/**
 * Whether this node takes a change now, decided inside the change's write transaction: the
 * fencing check of ARCHITECTURE §8 (role primary, not read-only, epoch still the one this node
 * was granted). The cluster implements it; the store only asks.
 */
public interface WriteFence {
    /**
     * Admits a mutation.
     *
     * @param expectedEpoch the epoch the submitter decided under, if it named one
     * @return the epoch the mutation is accepted under
     * @throws MutationRejectedException when this node takes no mutation now
     */
    long admit(DSLContext db, OptionalLong expectedEpoch);

    /**
     * Admits the replay of another node's log.
     *
     * @throws MutationRejectedException when this node is a read-write primary
     */
    void admitReplay(DSLContext db);
}
