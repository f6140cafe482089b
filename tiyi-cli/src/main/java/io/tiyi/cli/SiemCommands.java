package io.tiyi.cli;

import com.beust.jcommander.Parameters;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.SiemService;

/** {@code tiyi siem ...}: prove a SIEM destination receives Tiyi's events, and see what the dispatcher did. */
final class SiemCommands {
    private SiemCommands() {}

    @Parameters(commandDescription = "Send one test event through the SIEM settings in force and report whether it was written to the"
            + " socket; exit 1 when it was not")
    static final class Test extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode r = ctx.client().call(SiemService.TEST, Empty.INSTANCE);
            JsonNode res = r.get("result");
            boolean written = res.get("written").asBoolean();
            if (ctx.json()) {
                ctx.printJson(r);
            }
            if (written && !ctx.json()) {
                ctx.out.println(Table.escape("test event " + r.get("id").asText() + " written to " + res.get("address").asText() + " as "
                        + res.get("format").asText() + " (" + res.get("bytes").asInt() + " bytes); check that it arrived:"));
                ctx.out.println(Table.escape("  " + res.get("message").asText()));
            }
            if (written) {
                return 0;
            }
            String address = res.get("address").asText();
            ctx.err.println(Table.escape("ERROR the test event was not written" + (address.isEmpty() ? "" : " to " + address) + ": "
                    + res.get("error").asText()));
            return 1;
        }
    }

    @Parameters(commandDescription = "Show the SIEM settings this node forwards with, and its counters: sent, dropped by reason,"
            + " reconnects, queue depth")
    static final class Status extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode s = ctx.client().call(SiemService.STATUS, Empty.INSTANCE);
            if (ctx.json()) {
                ctx.printJson(s);
                return 0;
            }
            JsonNode c = s.get("config");
            Table t = new Table("FIELD", "VALUE");
            t.row("enabled", c.get("enabled").asText());
            t.row("address", c.get("address").asText().isEmpty() ? "(none)" : c.get("address").asText());
            t.row("format", c.get("format").asText());
            t.row("forwards", "security, error, alert" + (c.get("include_audit").asBoolean() ? ", audit" : "")
                    + (c.get("include_access").asBoolean() ? ", access (rate " + c.get("access_sample_rate").asText() + ")" : "")
                    + "; at least " + c.get("min_severity").asText());
            t.row("connected", s.get("connected").asText());
            t.row("sent", s.get("sent").asText());
            StringBuilder d = new StringBuilder();
            s.get("dropped").fields().forEachRemaining(e -> d.append(d.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                    .append(e.getValue().asLong()));
            t.row("dropped", d.toString());
            t.row("reconnects", s.get("reconnects").asText());
            t.row("queue depth", s.get("queue_depth").asText());
            t.row("last error", s.get("last_error").isNull() ? "(none)" : s.get("last_error").asText());
            t.print(ctx.out);
            return 0;
        }
    }
}
