package io.tiyi.sites;

import io.tiyi.TiyiException;
import io.tiyi.api.Access;
import io.tiyi.api.RpcMethod;
import io.tiyi.api.RpcRegistry;
import io.tiyi.client.rpc.WafService;
import io.tiyi.client.rpc.WafService.ExcludeRequest;
import io.tiyi.client.rpc.WafService.RemoveRequest;
import io.tiyi.client.rpc.WafService.SetRequest;
import io.tiyi.client.rpc.WafService.SiteRequest;
import io.tiyi.client.rpc.WafService.TestRequest;
import io.tiyi.proxy.RuntimeConfig;
import io.tiyi.proxy.WafEngines;
import io.tiyi.settings.Settings;
import io.tiyi.waf.Interruption;
import io.tiyi.waf.MatchedRule;
import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.Transaction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code tiyi.v1.WafService}: per-site WAF policy, exclusions, and dry runs of a raw request. */
final class WafRpc {

    record TestResult(String site, String mode, boolean interrupted, Interruption interruption, List<MatchedRule> matchedRules,
            List<String> errors) {}

    private WafRpc() {}

    static void register(RpcRegistry r, WafPolicies policies, Settings settings) {
        r.query(WafService.GET_POLICY, Access.VIEWER, (ctx, q) -> policies.get(RpcMethod.required(q.site(), "site")));
        r.mutation(WafService.SET_POLICY, Access.OPERATOR, (ctx, q) -> policies.set(ctx.actor(), RpcMethod.required(q.site(), "site"), q.mode(), q.paranoia(), q.inboundThreshold(), q.outboundThreshold(),
                        q.customRules(), q.strictBodies(), q.profile()));
        r.mutation(WafService.ADD_EXCLUSION, Access.OPERATOR, (ctx, q) -> {
            return policies.exclude(ctx.actor(), RpcMethod.required(q.site(), "site"), q.ruleId() == null ? 0 : q.ruleId(), q.tag(), q.pathPrefix(), q.method(), q.target());
        });
        r.mutation(WafService.REMOVE_EXCLUSION, Access.OPERATOR, (ctx, q) -> {
            if (q.id() == null) {
                throw TiyiException.invalid("field 'id' is required");
            }
            return policies.removeExclusion(ctx.actor(), RpcMethod.required(q.site(), "site"), q.id());
        });
        r.query(WafService.TEST, Access.OPERATOR, (ctx, q) -> {
            if (q.request() == null || q.request().isBlank()) {
                throw TiyiException.invalid("field 'request' must hold a raw HTTP request");
            }
            WafPolicies.Policy p = policies.get(RpcMethod.required(q.site(), "site"));
            RuntimeConfig.WafPolicy policy = policies.all().get(q.site());
            RuntimeConfig.WafPolicy run = "off".equals(policy.mode())
                    ? new RuntimeConfig.WafPolicy("detect", policy.paranoia(), policy.inboundThreshold(), policy.outboundThreshold(),
                            policy.exclusions(), policy.customRules(), policy.strictBodies(), policy.profile())
                    : policy;
            TiyiWaf waf = WafEngines.build(RuntimeCompiler.wafRules(settings), run,
                    io.tiyi.settings.LimitsSettings.limits(settings));
            Transaction tx = raw(waf, q.request());
            return new TestResult(q.site(), p.mode(), tx.interruption().isPresent(), tx.interruption().orElse(null), tx.matchedRules(),
                    tx.errors());
        });
    }

    /** Runs a raw HTTP/1.x request (request line, headers, blank line, body) through a transaction. */
    static Transaction raw(TiyiWaf waf, String request) {
        String text = request.replace("\r\n", "\n");
        int end = text.indexOf("\n\n");
        String head = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 2);
        String[] lines = head.split("\n");
        String[] rl = lines[0].trim().split(" ");
        if (rl.length < 2) {
            throw TiyiException.invalid("the request file must start with a request line such as 'GET /path HTTP/1.1', got '" + lines[0] + "'");
        }
        Transaction tx = waf.newTransaction();
        tx.processConnection("127.0.0.1", 0, "127.0.0.1", 80);
        tx.processUri(rl[1], rl[0], rl.length > 2 ? rl[2] : "HTTP/1.1");
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            if (c <= 0) {
                throw TiyiException.invalid("line " + (i + 1) + " of the request is not a header (name: value): '" + lines[i] + "'");
            }
            tx.addRequestHeader(lines[i].substring(0, c).trim(), lines[i].substring(c + 1).trim());
        }
        if (tx.processRequestHeaders().isEmpty()) {
            byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
            if (b.length > 0) {
                tx.appendRequestBody(b);
            }
            tx.processRequestBody();
        }
        tx.processLogging();
        return tx;
    }
}
