package io.tiyi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.rpc.AgentsService;
import io.tiyi.client.rpc.BundlesService;
import io.tiyi.client.rpc.Empty;
import java.util.ArrayList;
import java.util.List;

/** {@code tiyi agents ...} (enrollment tokens and the fleet) and {@code tiyi bundles ...} (versions and the signing key). */
final class AgentCommands {
    private AgentCommands() {}

    /** A command about one thing named by id: {@code --id ID} or the id as its only argument. */
    abstract static class ById extends AccountCommands.Base {
        @Parameter(names = "--id", description = "Its id")
        String idOption;

        @Parameter(description = "ID")
        List<String> positional = new ArrayList<>();

        String id() {
            if (idOption != null && !positional.isEmpty() && !(positional.size() == 1 && positional.get(0).equals(idOption))) {
                throw new UsageException("give the id once: --id ID or ID, not both");
            }
            if (positional.size() > 1) {
                throw new UsageException("one id at a time, got " + String.join(" ", positional));
            }
            String id = idOption != null ? idOption : positional.isEmpty() ? null : positional.get(0);
            if (id == null || id.isBlank()) {
                throw new UsageException("which one? give its id: --id ID or ID");
            }
            return id;
        }
    }

    @Parameters(commandDescription = "Issue a single-use enrollment token for one agent; prints JSON with the token (tiyi ... | jq -r .token)")
    static final class IssueToken extends AccountCommands.Base {
        @Parameter(names = "--tag", description = "Tag of the agent that enrolls with it (a-z, 0-9, . _ -), for example edge-eu-1", required = true)
        String tag;

        @Parameter(names = "--ttl", description = "How long the token can be used: 30m, 1h, 7d (default 1h, at most 720h)")
        String ttl = "1h";

        @Override
        public int run(CliContext ctx) {
            JsonNode t = ctx.client().call(AgentsService.ISSUE_TOKEN, new AgentsService.IssueRequest(tag, ttl));
            // Always JSON: the token is read by scripts (jq -r .token); it is shown this once only.
            ctx.printJson(t);
            if (ctx.terminal()) {
                ctx.err.println(Table.escape("INFO single-use token " + t.get("id").asText() + " for tag " + t.get("tag").asText() + ", valid until "
                        + Table.time(t.get("expires_at").asLong()) + "; start the agent with: tiyi agent --api URL --enrollment-token TOKEN"
                        + " --state-dir DIR"));
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "List enrollment tokens (never the tokens themselves) and their state")
    static final class TokensList extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode tokens = ctx.client().call(AgentsService.LIST_TOKENS, Empty.INSTANCE).get("tokens");
            if (ctx.json()) {
                ctx.printJson(tokens);
                return 0;
            }
            Table t = new Table("ID", "TAG", "STATE", "CREATED", "CREATED BY", "EXPIRES", "USED BY");
            for (JsonNode k : tokens) {
                t.row(k.get("id").asText(), k.get("tag").asText(), k.get("state").asText(), Table.time(k.get("created_at").asLong()),
                        k.path("created_by").asText(""), Table.time(k.get("expires_at").asLong()), k.path("used_by").asText(""));
            }
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Revoke an unused enrollment token")
    static final class TokensRevoke extends ById {
        @Override
        public int run(CliContext ctx) {
            String id = id();
            ctx.client().call(AgentsService.REVOKE_TOKEN, new AgentsService.IdRequest(id));
            return AccountCommands.print(ctx, new AccountCommands.Revoked(id, true), "revoked enrollment token " + id
                    + "; no agent can enroll with it");
        }
    }

    static String lag(JsonNode a) {
        long lag = a.path("lag").asLong(-1);
        return lag < 0 ? "" : String.valueOf(lag);
    }

    /** The reported health, and the reason of the last refused bundle when the agent is refusing them. */
    static String health(JsonNode a) {
        String h = a.path("health").asText("");
        String refused = a.path("refused").asText("");
        int colon = refused.indexOf(':');
        return refused.isEmpty() ? h : h + ", refusing bundles: " + (colon > 0 ? refused.substring(0, colon) : refused);
    }

    static String ago(long ms) {
        if (ms <= 0) {
            return "never";
        }
        long s = Math.max(0, (System.currentTimeMillis() - ms) / 1000);
        return s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s < 172_800 ? s / 3600 + "h ago" : s / 86_400 + "d ago";
    }

    @Parameters(commandDescription = "List enrolled agents: address, bundle version, lag, last report, health")
    static final class AgentsList extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode agents = ctx.client().listAll(AgentsService.LIST, "agents");
            if (ctx.json()) {
                ctx.printJson(agents);
                return 0;
            }
            Table t = new Table("ID", "TAG", "ADDRESS", "BUNDLE", "LAG", "LAST SEEN", "HEALTH");
            for (JsonNode a : agents) {
                t.row(a.get("id").asText(), a.get("tag").asText(), a.path("address").asText(""), a.path("bundle_version").asText(""), lag(a),
                        ago(a.path("last_seen").asLong()), health(a));
            }
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Show one agent: enrollment, last report, bundle version, refusals")
    static final class AgentsShow extends ById {
        @Override
        public int run(CliContext ctx) {
            JsonNode a = ctx.client().call(AgentsService.GET, new AgentsService.IdRequest(id()));
            if (ctx.json()) {
                ctx.printJson(a);
                return 0;
            }
            Table t = new Table("FIELD", "VALUE");
            a.fields().forEachRemaining(e -> {
                String k = e.getKey();
                JsonNode v = e.getValue();
                String shown = switch (k) {
                    case "enrolled_at" -> Table.time(v.asLong());
                    case "last_seen" -> v.asLong() <= 0 ? "never" : Table.time(v.asLong()) + " (" + ago(v.asLong()) + ")";
                    case "lag" -> lag(a);
                    default -> v.isNull() ? "" : v.asText();
                };
                t.row(k, shown);
            });
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Revoke an agent's credential: it gets no more bundles but keeps serving the last one it has")
    static final class AgentsRevoke extends ById {
        @Override
        public int run(CliContext ctx) {
            String id = id();
            ctx.client().call(AgentsService.REVOKE, new AgentsService.IdRequest(id));
            return AccountCommands.print(ctx, new AccountCommands.Revoked(id, true), "revoked agent " + id
                    + ": its credential stops working at once (no bundles, no reports), but it keeps serving its last good bundle, "
                    + "also after a restart, until you stop it and clear its state directory");
        }
    }

    @Parameters(commandDescription = "Show the bundle version agents should run and the signing key's fingerprint")
    static final class BundlesStatus extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode s = ctx.client().call(BundlesService.STATUS, Empty.INSTANCE);
            if (ctx.json()) {
                ctx.printJson(s);
                return 0;
            }
            Table t = new Table("FIELD", "VALUE");
            t.row("version", s.get("epoch").asLong() + "." + s.get("seq").asLong());
            t.row("epoch", s.get("epoch").asLong());
            t.row("seq", s.get("seq").asLong());
            t.row("signing_key_fingerprint", s.get("signing_key_fingerprint").asText());
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Replace the bundle signing key; every agent must then be re-enrolled (needs --yes)")
    static final class RotateSigningKey extends AccountCommands.Base {
        @Parameter(names = "--yes", description = "Confirm: every enrolled agent refuses bundles signed with the new key until it is re-enrolled")
        boolean yes;

        @Override
        public int run(CliContext ctx) {
            if (!yes) {
                throw new UsageException("not rotated: with a new bundle signing key every enrolled agent refuses new bundles (it keeps"
                        + " serving its last one) until it is re-enrolled with a new token; run again with --yes to rotate");
            }
            JsonNode r = ctx.client().call(BundlesService.ROTATE_SIGNING_KEY, new BundlesService.RotateRequest(true));
            if (ctx.json()) {
                ctx.printJson(r);
                return 0;
            }
            ctx.out.println(Table.escape("bundle signing key rotated: now " + r.get("fingerprint").asText() + " (was " + r.get("previous").asText() + ")"));
            ctx.out.println("""
                    Every enrolled agent now refuses new bundles (other_signing_key) and keeps serving its last good one.
                    Re-enroll each agent:
                      1. issue it a new token:   tiyi agents issue-token --tag TAG | jq -r .token
                      2. stop the agent
                      3. clear its state directory (agent.json, pin.json, bundle.json, rules/)
                      4. start it with the token: tiyi agent --api URL --enrollment-token TOKEN --state-dir DIR
                    It enrolls as a new agent and pins the new key; then revoke its old entry: tiyi agents revoke OLD-ID""");
            return 0;
        }
    }
}
