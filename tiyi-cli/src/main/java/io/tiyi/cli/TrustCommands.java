package io.tiyi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.TrustService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code tiyi trust ...}: the client-IP trust profile, CDN ranges, and the resolver's explanation of a request. */
final class TrustCommands {
    private TrustCommands() {}

    /** Keeps a header value whole: X-Forwarded-For lists are comma-separated themselves. */
    public static final class WholeValue implements com.beust.jcommander.converters.IParameterSplitter {
        @Override
        public List<String> split(String value) {
            return List.of(value);
        }
    }

    static List<String> commaList(String s) {
        if (s == null) {
            return null;
        }
        return s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    static void printProfile(CliContext ctx, JsonNode p) {
        if (ctx.json()) {
            ctx.printJson(p);
            return;
        }
        Table t = new Table("FIELD", "VALUE");
        t.row("trusted proxies", join(p.get("trusted_proxies")));
        t.row("client-ip headers", join(p.get("client_ip_headers")));
        t.row("trusted CDN providers", join(p.get("cdn_providers")));
        t.print(ctx.out);
    }

    static String join(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out.isEmpty() ? "(none)" : String.join(", ", out);
    }

    @Parameters(commandDescription = "Set the trust profile: trusted proxies (CIDRs), client-IP headers in order of preference, trusted CDN"
            + " providers. Options not given stay as they are; an empty value clears")
    static final class Set extends AccountCommands.Base {
        @Parameter(names = "--trusted-proxies", description = "Comma-separated CIDRs, IPv4 or IPv6, for example 10.0.0.0/8,172.16.0.0/12")
        String proxies;

        @Parameter(names = "--client-ip-headers", description = "Comma-separated, in order of preference: X-Forwarded-For, X-Real-IP,"
                + " CF-Connecting-IP, True-Client-IP, Fastly-Client-IP, Forwarded")
        String headers;

        @Parameter(names = "--cdn-providers", description = "Comma-separated: cloudflare, fastly (their ranges count as trusted proxies)")
        String providers;

        @Override
        public int run(CliContext ctx) {
            if (proxies == null && headers == null && providers == null) {
                throw new UsageException("nothing to set: give --trusted-proxies, --client-ip-headers and/or --cdn-providers");
            }
            printProfile(ctx, ctx.client().call(TrustService.SET, new TrustService.SetRequest(commaList(proxies), commaList(headers),
                    commaList(providers))));
            return 0;
        }
    }

    @Parameters(commandDescription = "Show the trust profile")
    static final class Show extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            printProfile(ctx, ctx.client().call(TrustService.GET, Empty.INSTANCE));
            return 0;
        }
    }

    @Parameters(commandDescription = "Show which client IP a request would be attributed to, and why, with the trust profile in force")
    static final class Test extends AccountCommands.Base {
        @Parameter(names = "--peer", description = "The address the request comes from (the TCP peer)", required = true)
        String peer;

        @Parameter(names = "--header", description = "A request header, 'Name: value' (repeat for more)", splitter = WholeValue.class)
        List<String> headers = new ArrayList<>();

        @Override
        public int run(CliContext ctx) {
            JsonNode r = ctx.client().call(TrustService.TEST, new TrustService.TestRequest(peer, headers));
            if (ctx.json()) {
                ctx.printJson(r);
                return 0;
            }
            ctx.out.println(Table.escape("client " + r.get("client").asText() + (r.get("bypass_attempt").asBoolean() ? " (origin bypass attempt)" : "")));
            for (JsonNode step : r.get("steps")) {
                ctx.out.println(Table.escape("  " + step.asText()));
            }
            if (r.get("malformed").asInt() > 0) {
                ctx.out.println(Table.escape("  " + r.get("malformed").asInt() + " malformed entr" + (r.get("malformed").asInt() == 1 ? "y" : "ies") + " skipped"));
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "List CDN providers: range count, source, when the list was taken and last refreshed, trusted or not")
    static final class CdnList extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode list = ctx.client().call(TrustService.CDN_LIST, Empty.INSTANCE).get("providers");
            if (ctx.json()) {
                ctx.printJson(list);
                return 0;
            }
            Table t = new Table("PROVIDER", "RANGES", "SOURCE", "TAKEN", "REFRESHED", "TRUSTED");
            for (JsonNode p : list) {
                long at = p.get("refreshed_at").asLong();
                t.row(p.get("provider").asText(), p.get("ranges").asText(), p.get("source").asText(), p.get("taken_on").asText(),
                        at == 0 ? "never (built-in)" : Table.time(at), p.get("trusted").asBoolean() ? "yes" : "no");
            }
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Fetch a CDN provider's published ranges (the URL is the setting trust.cdn.<provider>.url)")
    static final class CdnRefresh extends AccountCommands.Base {
        @Parameter(description = "cloudflare|fastly")
        List<String> provider = new ArrayList<>();

        @Override
        public int run(CliContext ctx) {
            if (provider.size() != 1) {
                throw new UsageException("which provider? tiyi trust cdn refresh cloudflare|fastly");
            }
            JsonNode p = ctx.client().call(TrustService.CDN_REFRESH, new TrustService.ProviderRequest(provider.get(0)));
            return AccountCommands.print(ctx, p, "refreshed " + p.get("provider").asText() + ": " + p.get("ranges").asText() + " ranges from "
                    + p.get("source").asText());
        }
    }
}
