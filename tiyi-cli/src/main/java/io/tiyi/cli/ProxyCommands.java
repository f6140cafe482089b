package io.tiyi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.CertificatesService;
import io.tiyi.client.rpc.EventsService;
import io.tiyi.client.rpc.SitesService;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code tiyi sites ...}, {@code tiyi certs ...} and {@code tiyi events ...}. */
final class ProxyCommands {
    private ProxyCommands() {}

    static String join(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return String.join(",", out);
    }

    static void printSites(CliContext ctx, JsonNode sites) {
        Table t = new Table("NAME", "HOSTS", "UPSTREAMS", "LB", "HEALTH", "CERT", "ROUTES");
        for (JsonNode s : sites) {
            t.row(s.get("name").asText(), join(s.get("hosts")), join(s.get("upstreams")), s.get("lb").asText(),
                    s.path("health_path").asText(""), s.path("certificate").asText(""), s.get("routes").size());
        }
        t.print(ctx.out);
    }

    static void printSite(CliContext ctx, JsonNode s) {
        if (ctx.json()) {
            ctx.printJson(s);
            return;
        }
        printSites(ctx, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(s));
        if (s.get("routes").size() > 0) {
            ctx.out.println();
            Table t = new Table("PATH PREFIX", "UPSTREAMS", "LB");
            s.get("routes").forEach(r -> t.row(r.get("path_prefix").asText(), join(r.get("upstreams")), r.get("lb").asText()));
            t.print(ctx.out);
        }
    }

    abstract static class SiteSpec extends AccountCommands.Base {
        @Parameter(names = "--name", description = "Site name", required = true)
        String name;

        @Parameter(names = "--host", description = "Host name or *.wildcard it answers (repeat for more)")
        List<String> hosts = new ArrayList<>();

        @Parameter(names = "--upstream", description = "Upstream base URL, http(s)://host:port (repeat for more)")
        List<String> upstreams = new ArrayList<>();

        @Parameter(names = "--lb", description = "round_robin or least_conn")
        String lb;

        @Parameter(names = "--health-path", description = "Path for active health checks of the upstreams (empty to turn off)")
        String healthPath;

        @Parameter(names = "--cert", description = "Certificate to pin for this site's hosts (empty to unpin)")
        String certificate;

        SitesService.PutRequest request() {
            return new SitesService.PutRequest(name, hosts.isEmpty() ? null : hosts, upstreams.isEmpty() ? null : upstreams, lb, healthPath,
                    certificate);
        }
    }

    @Parameters(commandDescription = "Create a site: hosts it answers and the upstreams that serve it")
    static final class SitesCreate extends SiteSpec {
        @Override
        public int run(CliContext ctx) {
            printSite(ctx, ctx.client().call(SitesService.CREATE, request()));
            return 0;
        }
    }

    @Parameters(commandDescription = "Change a site; options not given stay as they are")
    static final class SitesUpdate extends SiteSpec {
        @Override
        public int run(CliContext ctx) {
            printSite(ctx, ctx.client().call(SitesService.UPDATE, request()));
            return 0;
        }
    }

    @Parameters(commandDescription = "List sites")
    static final class SitesList extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode sites = ctx.client().listAll(SitesService.LIST, "sites");
            if (ctx.json()) {
                ctx.printJson(sites);
            } else {
                printSites(ctx, sites);
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "Show a site and its routes")
    static final class SitesShow extends AccountCommands.Base {
        @Parameter(names = "--name", description = "Site name", required = true)
        String name;

        @Override
        public int run(CliContext ctx) {
            printSite(ctx, ctx.client().call(SitesService.GET, new SitesService.NameRequest(name)));
            return 0;
        }
    }

    @Parameters(commandDescription = "Delete a site and its routes")
    static final class SitesDelete extends AccountCommands.Base {
        @Parameter(names = "--name", description = "Site name", required = true)
        String name;

        @Override
        public int run(CliContext ctx) {
            ctx.client().call(SitesService.DELETE, new SitesService.NameRequest(name));
            return AccountCommands.print(ctx, new AccountCommands.Deleted(name, true), "deleted site " + name);
        }
    }

    @Parameters(commandDescription = "Send a path prefix of a site to its own upstreams")
    static final class SitesAddRoute extends AccountCommands.Base {
        @Parameter(names = "--site", description = "Site name", required = true)
        String site;

        @Parameter(names = "--path-prefix", description = "Path prefix, for example /api", required = true)
        String pathPrefix;

        @Parameter(names = "--upstream", description = "Upstream base URL (repeat for more)", required = true)
        List<String> upstreams = new ArrayList<>();

        @Parameter(names = "--lb", description = "round_robin or least_conn")
        String lb;

        @Override
        public int run(CliContext ctx) {
            printSite(ctx, ctx.client().call(SitesService.ADD_ROUTE, new SitesService.RouteRequest(site, pathPrefix, upstreams, lb)));
            return 0;
        }
    }

    @Parameters(commandDescription = "Remove a path route of a site")
    static final class SitesRemoveRoute extends AccountCommands.Base {
        @Parameter(names = "--site", description = "Site name", required = true)
        String site;

        @Parameter(names = "--path-prefix", description = "Path prefix", required = true)
        String pathPrefix;

        @Override
        public int run(CliContext ctx) {
            printSite(ctx, ctx.client().call(SitesService.REMOVE_ROUTE, new SitesService.RouteRequest(site, pathPrefix, null, null)));
            return 0;
        }
    }

    static void printCerts(CliContext ctx, JsonNode certs) {
        Table t = new Table("NAME", "SANS", "NOT AFTER", "SUBJECT", "FINGERPRINT");
        for (JsonNode c : certs) {
            t.row(c.get("name").asText(), join(c.get("sans")), Table.time(c.get("not_after").asLong()), c.get("subject").asText(),
                    c.get("fingerprint").asText().substring(0, Math.min(23, c.get("fingerprint").asText().length())));
        }
        t.print(ctx.out);
    }

    static String read(String file, String what) {
        try {
            return Files.readString(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new UsageException(what + " file " + file + " does not exist");
        } catch (java.io.IOException e) {
            throw new UsageException("cannot read " + what + " file " + file + ": " + e.getMessage());
        }
    }

    @Parameters(commandDescription = "Import a PEM certificate chain and its private key (the key is encrypted at rest)")
    static final class CertsImport extends AccountCommands.Base {
        @Parameter(names = "--name", description = "Certificate name", required = true)
        String name;

        @Parameter(names = "--cert", description = "PEM certificate chain file, leaf first", required = true)
        String cert;

        @Parameter(names = "--key", description = "PEM private key file", required = true)
        String key;

        @Override
        public int run(CliContext ctx) {
            JsonNode c = ctx.client().call(CertificatesService.IMPORT,
                    new CertificatesService.ImportRequest(name, read(cert, "certificate"), read(key, "key")));
            if (ctx.json()) {
                ctx.printJson(c);
            } else {
                ctx.out.println(Table.escape("imported certificate " + name + " for " + join(c.get("sans")) + ", valid until "
                        + Table.time(c.get("not_after").asLong())));
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "List certificates")
    static final class CertsList extends AccountCommands.Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode certs = ctx.client().listAll(CertificatesService.LIST, "certificates");
            if (ctx.json()) {
                ctx.printJson(certs);
            } else {
                printCerts(ctx, certs);
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "Show a certificate")
    static final class CertsShow extends AccountCommands.Base {
        @Parameter(names = "--name", description = "Certificate name", required = true)
        String name;

        @Override
        public int run(CliContext ctx) {
            JsonNode c = ctx.client().call(CertificatesService.GET, new CertificatesService.NameRequest(name));
            if (ctx.json()) {
                ctx.printJson(c);
            } else {
                Table t = new Table("FIELD", "VALUE");
                c.fields().forEachRemaining(e -> t.row(e.getKey(), e.getKey().startsWith("not_") || e.getKey().equals("created_at")
                        ? Table.time(e.getValue().asLong()) : e.getValue().isArray() ? join(e.getValue()) : e.getValue().asText()));
                t.print(ctx.out);
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "Delete a certificate no site pins")
    static final class CertsDelete extends AccountCommands.Base {
        @Parameter(names = "--name", description = "Certificate name", required = true)
        String name;

        @Override
        public int run(CliContext ctx) {
            ctx.client().call(CertificatesService.DELETE, new CertificatesService.NameRequest(name));
            return AccountCommands.print(ctx, new AccountCommands.Deleted(name, true), "deleted certificate " + name);
        }
    }

    abstract static class EventFilter extends AccountCommands.Base {
        @Parameter(names = "--type", description = "access, security, error, audit or alert")
        String type = "access";

        @Parameter(names = "--site", description = "Only this site")
        String site;

        @Parameter(names = "--status", description = "Only this status (404) or class (5xx)")
        String status;

        EventsService.ListRequest request(String since, Long sinceMs, int limit) {
            return new EventsService.ListRequest(type, since, sinceMs, status, site, limit);
        }
    }

    @Parameters(commandDescription = "List events from the node's logs")
    static final class EventsList extends EventFilter {
        @Parameter(names = "--since", description = "How far back: 30s, 10m, 2h, 7d or an ISO time (default 1h)")
        String since = "1h";

        @Parameter(names = "--limit", description = "At most this many, the newest (default 1000)")
        int limit = 1000;

        @Override
        public int run(CliContext ctx) {
            JsonNode r = ctx.client().call(EventsService.LIST, request(since, null, limit));
            JsonNode events = r.get("events");
            if (ctx.json()) {
                ctx.printJson(events);
                return 0;
            }
            if (r.path("dropped").asLong() > 0) {
                ctx.err.println(Table.escape("WARNING the node dropped " + r.path("dropped").asLong() + " events since it started (its log queue was"
                        + " full): they are in no list"));
            }
            if (events.isEmpty()) {
                ctx.out.println(Table.escape("no " + type + " events" + (site == null ? "" : " of site " + site)
                        + (status == null ? "" : " with status " + status) + " since " + since));
            } else {
                EventTables.print(ctx.out, events);
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "Follow events as they are written (Ctrl-C to stop)")
    static final class EventsTail extends EventFilter {
        @Override
        public int run(CliContext ctx) throws InterruptedException {
            TiyiClient api = ctx.client();
            long since = System.currentTimeMillis() - 10_000;
            java.util.Set<String> seen = new java.util.LinkedHashSet<>();
            EventTables.Stream table = new EventTables.Stream(ctx.out);
            while (!Thread.currentThread().isInterrupted()) {
                JsonNode events = api.call(EventsService.LIST, request(null, since, 10_000)).get("events");
                com.fasterxml.jackson.databind.node.ArrayNode fresh = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
                for (JsonNode e : events) {
                    String key = e.path("ts").asText() + e.path("request_id").asText() + e.path("id").asText();
                    if (seen.add(key)) {
                        fresh.add(e);
                    }
                    since = Math.max(since, e.path("ts").asLong());
                }
                while (seen.size() > 50_000) {
                    seen.remove(seen.iterator().next());
                }
                if (ctx.json()) {
                    fresh.forEach(e -> ctx.out.println(CliContext.jsonLine(e)));
                } else {
                    table.print(fresh);
                }
                ctx.out.flush();
                Thread.sleep(1000);
            }
            return 0;
        }
    }
}
