package io.tiyi.waf;

import java.util.List;

/**
 * A rule that matched a transaction (all of its chain) and logs.
 *
 * @param id rule id
 * @param phase phase it ran in
 * @param message its {@code msg}, expanded
 * @param data its {@code logdata}, expanded, at most 512 bytes
 * @param severity 0 (emergency) to 7 (debug), or -1
 * @param tags its tags
 * @param variable the variable that matched last, for example {@code ARGS:q}
 * @param value what it matched, after transformations, at most 256 bytes
 * @param disruptive {@code pass}, {@code deny}, {@code drop}, {@code redirect} or {@code allow}
 * @param file the rule file
 * @param line the line in it
 */
public record MatchedRule(long id, int phase, String message, String data, int severity, List<String> tags, String variable, String value,
        String disruptive, String file, int line) {
    public MatchedRule {
        tags = List.copyOf(tags);
    }
}
