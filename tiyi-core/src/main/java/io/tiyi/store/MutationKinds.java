package io.tiyi.store;

import java.util.List;

/**
 * The mutation types one feature contributes to {@link MutationTypes}. A feature names its
 * provider in {@code META-INF/services/io.tiyi.store.MutationKinds}, so the log can be decoded
 * (replication, backup streams, restore) without the store knowing any feature.
 */
public interface MutationKinds {
    /** Every {@link Mutation} type of the feature; each has a {@code public static final String KIND}. */
    List<Class<? extends Mutation<?>>> types();
}
