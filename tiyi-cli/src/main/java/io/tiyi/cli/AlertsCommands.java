package io.tiyi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.rpc.AlertsService;
import io.tiyi.client.rpc.Empty;

/** {@code tiyi alerts ...}: firings and the rules that fire them. */
final class AlertsCommands {
    private AlertsCommands() {}

    static long numericId(AgentCommands.ById c) {
        try {
            return Long.parseLong(c.id());
        } catch (NumberFormatException e) {
            throw new UsageException("an alert id is a number (tiyi alerts list), got '" + c.id() + "'");
        }
    }

    @Parameters(commandDescription = "List alert firings, newest first")
    static final class FiringsList extends AccountCommands.Base {
        @Parameter(names = "--limit", description = "At most this many (1-1000, default 50)")
        int limit = 50;

        @Parameter(names = "--unacked", description = "Only firings nobody acknowledged yet")
        boolean unacked;

        @Override
        public int run(CliContext ctx) {
            JsonNode list = ctx.client().call(AlertsService.LIST, new AlertsService.ListRequest(limit, unacked, null, null)).get("firings");
            if (ctx.json()) {
                ctx.printJson(list);
                return 0;
            }
            Table t = new Table("ID", "ALERT", "FIRED", "COUNT", "ACKED", "DETAIL");
            for (JsonNode f : list) {
                t.row(f.get("id").asText(), f.get("title").asText(), Table.time(f.get("fired_at").asLong()), f.get("count").asText(),
                        f.get("acked_at").asLong() == 0 ? "no" : "by " + f.path("acked_by").asText(), f.get("detail").asText());
            }
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Show one alert firing")
    static final class Show extends AgentCommands.ById {
        @Override
        public int run(CliContext ctx) {
            JsonNode f = ctx.client().call(AlertsService.GET, new AlertsService.IdRequest(numericId(this)));
            if (ctx.json()) {
                ctx.printJson(f);
                return 0;
            }
            Table t = new Table("FIELD", "VALUE");
            f.fields().forEachRemaining(e -> t.row(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Acknowledge an alert firing")
    static final class Ack extends AgentCommands.ById {
        @Override
        public int run(CliContext ctx) {
            JsonNode f = ctx.client().call(AlertsService.ACK, new AlertsService.IdRequest(numericId(this)));
            return AccountCommands.print(ctx, f, "acknowledged alert " + f.get("id").asText() + " (" + f.get("title").asText() + ")");
        }
    }

    @Parameters(commandDescription = "List alert rules")
    static final class RulesList extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode rules = ctx.client().call(AlertsService.LIST_RULES, Empty.INSTANCE).get("rules");
            if (ctx.json()) {
                ctx.printJson(rules);
                return 0;
            }
            Table t = new Table("NAME", "TITLE", "CONDITION", "WINDOW", "THRESHOLD", "ENABLED");
            for (JsonNode r : rules) {
                t.row(r.get("name").asText(), r.get("title").asText(), r.get("kind").asText(), r.get("window_seconds").asText() + "s",
                        r.get("threshold").asText(), r.get("enabled").asBoolean() ? "yes" : "no");
            }
            t.print(ctx.out);
            return 0;
        }
    }

    /** {@code rules enable|disable|update}: one rule by name. */
    abstract static class RuleChange extends AccountCommands.Base {
        @Parameter(names = "--name", description = "The rule (tiyi alerts rules list)", required = true)
        String name;

        int change(CliContext ctx, Boolean enabled, Integer window, Integer threshold) {
            JsonNode r = ctx.client().call(AlertsService.UPDATE_RULE, new AlertsService.RuleRequest(name, enabled, window, threshold));
            return AccountCommands.print(ctx, r, "alert rule " + r.get("name").asText() + ": " + (r.get("enabled").asBoolean() ? "enabled" : "disabled")
                    + ", fires at " + r.get("threshold").asText() + " in " + r.get("window_seconds").asText() + "s");
        }
    }

    @Parameters(commandDescription = "Enable an alert rule")
    static final class RulesEnable extends RuleChange {
        @Override
        public int run(CliContext ctx) {
            return change(ctx, true, null, null);
        }
    }

    @Parameters(commandDescription = "Disable an alert rule")
    static final class RulesDisable extends RuleChange {
        @Override
        public int run(CliContext ctx) {
            return change(ctx, false, null, null);
        }
    }

    @Parameters(commandDescription = "Change an alert rule's window and threshold")
    static final class RulesUpdate extends RuleChange {
        @Parameter(names = "--window", description = "Window in seconds (10-86400)")
        Integer window;

        @Parameter(names = "--threshold", description = "Count in a window at which it fires (1 or more)")
        Integer threshold;

        @Override
        public int run(CliContext ctx) {
            if (window == null && threshold == null) {
                throw new UsageException("nothing to change: give --window and/or --threshold");
            }
            return change(ctx, null, window, threshold);
        }
    }
}
