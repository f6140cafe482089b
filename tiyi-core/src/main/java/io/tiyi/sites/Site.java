package io.tiyi.sites;

import java.util.List;

/**
 * A site as the API shows it.
 *
 * @param name unique name
 * @param hosts host names and {@code *.suffix} wildcards it answers
 * @param upstreams default upstream pool
 * @param lb load-balancing policy of the pool
 * @param healthPath active health-check path, or null
 * @param certificate pinned certificate name, or null
 * @param routes path routes
 * @param createdAt ms
 * @param updatedAt ms
 */
record Site(String name, List<String> hosts, List<String> upstreams, String lb, String healthPath, String certificate,
        List<Route> routes, long createdAt, long updatedAt) {

    /**
     * A path route.
     *
     * @param pathPrefix path prefix
     * @param upstreams its pool
     * @param lb its policy
     */
    public record Route(String pathPrefix, List<String> upstreams, String lb) {}
}
