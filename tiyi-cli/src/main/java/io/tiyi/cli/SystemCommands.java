package io.tiyi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.rpc.AuditService;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.SystemService;

/** {@code tiyi system ...} and {@code tiyi audit ...}. */
final class SystemCommands {
    private SystemCommands() {}

    @Parameters(commandDescription = "Show the node's role, epoch, version and state")
    static final class Status extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode s = ctx.client().call(SystemService.STATUS, Empty.INSTANCE);
            if (ctx.json()) {
                ctx.printJson(s);
                return 0;
            }
            Table t = new Table("FIELD", "VALUE");
            s.fields().forEachRemaining(e -> {
                // Replication lag means something on a secondary only; a missing primary_api is not "null".
                boolean notApplicable = e.getValue().isNull() || e.getKey().equals("lag") && e.getValue().asLong() < 0;
                if (!notApplicable) {
                    t.row(e.getKey(), e.getValue().asText());
                }
            });
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Promote this secondary to primary: demote the primary (read-only), catch up to its last seq, take"
            + " epoch + 1. With --force the primary is not asked (use only when it is down for good)")
    static final class Promote extends AccountCommands.Base {
        @Parameter(names = "--force", description = "Skip the primary (unreachable for good); its mutations after the last replicated seq are lost")
        boolean force;

        @Override
        public int run(CliContext ctx) {
            JsonNode s = ctx.client().call(SystemService.STATUS, Empty.INSTANCE);
            if (!"secondary".equals(s.get("role").asText())) {
                ctx.err.println(Table.escape("ERROR this node is " + s.get("role").asText() + " at epoch " + s.get("epoch").asLong()
                        + "; tiyi promote runs on a secondary (on its host, or with --api pointing at it)"));
                return 1;
            }
            if (force) {
                ctx.err.println(Table.escape("WARNING promoting without the primary" + (s.hasNonNull("primary_api") ? " at " + s.get("primary_api").asText() : "")
                        + ": mutations it committed after seq " + s.get("last_seq").asLong()
                        + " (the last one replicated here) are lost; if it comes back it steps down to agent-only"));
            }
            JsonNode r = ctx.client().call(SystemService.PROMOTE, new SystemService.PromoteRequest(force));
            if (ctx.json()) {
                ctx.printJson(r);
            } else {
                ctx.out.println(Table.escape(r.get("message").asText()));
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "List runtime settings with their values, defaults and descriptions")
    static final class SettingsList extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode list = ctx.client().call(SystemService.LIST_SETTINGS, Empty.INSTANCE).get("settings");
            if (ctx.json()) {
                ctx.printJson(list);
                return 0;
            }
            Table t = new Table("KEY", "VALUE", "DEFAULT", "TYPE", "DESCRIPTION");
            for (JsonNode s : list) {
                t.row(s.get("key").asText(), s.get("value").asText(), s.get("default_value").asText(), s.get("type").asText(),
                        s.get("description").asText());
            }
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Show one setting")
    static final class SettingsGet extends AccountCommands.Base {
        @Parameter(names = "--key", description = "Setting key, for example siem.format", required = true)
        String key;

        @Override
        public int run(CliContext ctx) {
            JsonNode s = ctx.client().call(SystemService.GET_SETTING, new SystemService.KeyRequest(key));
            return AccountCommands.print(ctx, s, s.get("value").asText());
        }
    }

    @Parameters(commandDescription = "Change a setting")
    static final class SettingsUpdate extends AccountCommands.Base {
        @Parameter(names = "--key", description = "Setting key", required = true)
        String key;

        @Parameter(names = "--value", description = "New value", required = true)
        String value;

        @Override
        public int run(CliContext ctx) {
            JsonNode s = ctx.client().call(SystemService.UPDATE_SETTING, new SystemService.UpdateRequest(key, value));
            return AccountCommands.print(ctx, s, s.get("key").asText() + " = " + s.get("value").asText());
        }
    }

    @Parameters(commandDescription = "List audit log entries, newest first")
    static final class AuditList extends AccountCommands.Base {
        @Parameter(names = "--limit", description = "How many entries (1-1000)")
        int limit = 50;

        @Override
        public int run(CliContext ctx) {
            JsonNode list = ctx.client().call(AuditService.LIST, new AuditService.ListRequest(limit, null, null, null, null)).get("entries");
            if (ctx.json()) {
                ctx.printJson(list);
                return 0;
            }
            Table t = new Table("ID", "TIME", "ACTOR", "ACTION", "TARGET", "DETAILS");
            for (JsonNode e : list) {
                t.row(e.get("id").asLong(), Table.time(e.get("ts").asLong()), e.get("actor").asText(), e.get("action").asText(),
                        e.get("target").asText(), e.get("details").asText());
            }
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Check the audit chain: its keyed hashes, its agreement with the mutation log and, with --witness,"
            + " the checkpoints agents hold; exit 1 and name the first bad entry if it was tampered with")
    static final class AuditVerify extends AccountCommands.Base {
        @Parameter(names = "--witness", description = "Also compare it with the newest signed checkpoint the agents hold (catches"
                + " deleting the newest entries from every table)")
        boolean witness;

        @Override
        public int run(CliContext ctx) {
            JsonNode v = ctx.client().call(AuditService.VERIFY_CHAIN, new AuditService.VerifyRequest(witness ? Boolean.TRUE : null));
            boolean ok = v.get("ok").asBoolean();
            JsonNode w = v.path("witness");
            if (ctx.json()) {
                ctx.printJson(v);
            } else if (ok) {
                ctx.out.println(Table.escape("audit chain OK: " + v.get("entries").asLong() + " entries, head " + v.get("head_hash").asText()));
                if (witness) {
                    JsonNode c = w.get("checkpoint");
                    ctx.out.println(Table.escape("witness OK: " + w.get("agents").asInt() + " agent(s) hold checkpoints; newest #" + c.get("count").asLong()
                            + " (epoch " + c.get("epoch").asLong() + ", " + java.time.Instant.ofEpochMilli(c.get("ts").asLong()) + ") held by "
                            + w.get("agent_id").asText() + " matches the chain"));
                }
            }
            if (!ok) {
                long bad = v.get("first_bad_id").asLong();
                if (bad == 0) {
                    ctx.err.println(Table.escape("ERROR no witness for the audit chain: " + v.get("problem").asText()));
                } else {
                    ctx.err.println(Table.escape("ERROR audit chain broken at entry " + bad + ": " + v.get("problem").asText() + " ("
                            + v.get("entries").asLong() + " entries verified before it)"));
                }
                return 1;
            }
            return 0;
        }
    }
}
