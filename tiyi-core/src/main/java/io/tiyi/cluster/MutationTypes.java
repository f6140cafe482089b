package io.tiyi.cluster;

import io.tiyi.auth.RefreshTokenMutations;
import io.tiyi.auth.UserMutations;
import io.tiyi.fleet.FleetMutations;
import io.tiyi.fleet.SetSigningKey;
import io.tiyi.certs.Certificates;
import io.tiyi.internal.Json;
import io.tiyi.settings.Settings;
import io.tiyi.sites.SiteMutations;
import io.tiyi.sites.WafPolicies;
import io.tiyi.store.AuditEvent;
import io.tiyi.store.Mutation;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every kind of mutation, by the name {@code mutation_log} records: what a secondary decodes to
 * replay the primary's log with the same typed code the primary ran. A test checks that every
 * {@link Mutation} class is here.
 */
public final class MutationTypes {
    private static final Map<String, Class<? extends Mutation<?>>> BY_KIND = index(List.of(
            AuditEvent.class,
            Settings.Set.class,
            SetSigningKey.class,
            UserMutations.Create.class,
            UserMutations.SetPassword.class,
            UserMutations.SetRole.class,
            UserMutations.SetDisabled.class,
            UserMutations.Delete.class,
            RefreshTokenMutations.Issue.class,
            RefreshTokenMutations.Rotate.class,
            RefreshTokenMutations.RevokeFamily.class,
            SiteMutations.Put.class,
            SiteMutations.Delete.class,
            SiteMutations.PutRoute.class,
            SiteMutations.RemoveRoute.class,
            Certificates.Import.class,
            Certificates.Delete.class,
            WafPolicies.SetPolicy.class,
            WafPolicies.AddExclusion.class,
            WafPolicies.RemoveExclusion.class,
            FleetMutations.IssueToken.class,
            FleetMutations.RevokeToken.class,
            FleetMutations.Enroll.class,
            FleetMutations.RevokeAgent.class,
            io.tiyi.sites.TrustMutations.SetProfile.class,
            io.tiyi.sites.TrustMutations.SetCdnRanges.class,
            io.tiyi.alerts.AlertMutations.SeedRule.class,
            io.tiyi.alerts.AlertMutations.UpdateRule.class,
            io.tiyi.alerts.AlertMutations.Fire.class,
            io.tiyi.alerts.AlertMutations.Ack.class,
            io.tiyi.release.ReleaseMutations.Import.class,
            io.tiyi.release.ReleaseMutations.StartRollout.class,
            io.tiyi.release.ReleaseMutations.SetTargetState.class));

    private MutationTypes() {}

    private static Map<String, Class<? extends Mutation<?>>> index(List<Class<? extends Mutation<?>>> types) {
        Map<String, Class<? extends Mutation<?>>> m = new LinkedHashMap<>();
        for (Class<? extends Mutation<?>> t : types) {
            String kind;
            try {
                kind = (String) t.getField("KIND").get(null);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(t.getName() + " has no public static KIND", e);
            }
            if (m.put(kind, t) != null) {
                throw new IllegalStateException("two mutation types share the kind " + kind);
            }
        }
        return Map.copyOf(m);
    }

    /** Every registered type. */
    public static java.util.Collection<Class<? extends Mutation<?>>> all() {
        return BY_KIND.values();
    }

    /**
     * Decodes a logged mutation.
     *
     * @throws IllegalArgumentException for an unknown kind (a newer primary: upgrade this node) or a payload that does not decode
     */
    public static Mutation<?> decode(String kind, String payload) {
        Class<? extends Mutation<?>> t = BY_KIND.get(kind);
        if (t == null) {
            throw new IllegalArgumentException("unknown mutation kind '" + kind + "': the primary runs a newer Tiyi; upgrade this node");
        }
        try {
            return Json.MAPPER.readValue(payload, t);
        } catch (IOException e) {
            throw new IllegalArgumentException("mutation of kind " + kind + " does not decode: " + e.getMessage(), e);
        }
    }
}
