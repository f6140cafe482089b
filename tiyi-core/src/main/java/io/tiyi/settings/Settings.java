package io.tiyi.settings;

import static io.tiyi.store.generated.Tables.SETTINGS;

import io.tiyi.TiyiException;
import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.internal.Text;
import io.tiyi.store.AuditRecord;
import io.tiyi.store.Mutation;
import io.tiyi.store.MutationContext;
import io.tiyi.store.MutationKinds;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.generated.tables.records.SettingsRecord;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Typed runtime settings stored in state.db and changed only through mutations. */
public final class Settings implements RpcService {
    private final StateStore store;
    private final MutationPipeline pipeline;

    public Settings(StateStore store, MutationPipeline pipeline) {
        this.store = store;
        this.pipeline = pipeline;
    }

    /** Every known setting with the value in force. */
    public List<Setting> list() {
        Map<String, SettingsRecord> stored = store.read(db -> db.selectFrom(SETTINGS).fetchMap(SETTINGS.NAME));
        return SettingsRegistry.all().stream().map(d -> view(d, stored.get(d.key()))).collect(Collectors.toList());
    }

    public Setting get(String key) {
        SettingDefinition d = definition(key);
        return view(d, store.read(db -> db.selectFrom(SETTINGS).where(SETTINGS.NAME.eq(key)).fetchOne()));
    }

    /** The value in force, as its canonical string. */
    public String value(String key) {
        return get(key).value();
    }

    /**
     * Validates and stores a value.
     *
     * @throws TiyiException naming the key, the value and what is allowed
     */
    public Setting update(String actor, String key, String value) {
        Text.requirePlain("key", key);
        SettingDefinition d = definition(key);
        Text.requirePlain("value of setting " + d.key(), value);
        String canonical = d.canonical(value);
        LimitsSettings.checkConsistent(d.key(), canonical, this::value);
        pipeline.apply(actor, new Set(d.key(), canonical));
        return get(d.key());
    }

    private static SettingDefinition definition(String key) {
        return SettingsRegistry.find(key == null ? "" : key.trim().toLowerCase(Locale.ROOT)).orElseThrow(() -> TiyiException.notFound(
                "unknown setting '" + Text.escape(key) + "'; known: " + SettingsRegistry.all().stream().map(SettingDefinition::key)
                        .collect(Collectors.joining(", "))));
    }

    private static Setting view(SettingDefinition d, SettingsRecord r) {
        return new Setting(d.key(), r == null ? d.defaultValue() : r.getValue(), d.defaultValue(), r == null,
                d.type().name().toLowerCase(Locale.ROOT), d.description(), d.allowed(),
                r == null ? 0 : r.getUpdatedAt(), r == null ? "" : r.getUpdatedBy());
    }

    /** Stores one setting's canonical value. */
    public record Set(String key, String value) implements Mutation<Void> {
        public static final String KIND = "settings.set";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public Void apply(MutationContext ctx) {
            ctx.db().insertInto(SETTINGS)
                    .set(SETTINGS.NAME, key).set(SETTINGS.VALUE, value)
                    .set(SETTINGS.UPDATED_AT, ctx.ts()).set(SETTINGS.UPDATED_BY, ctx.actor())
                    .onConflict(SETTINGS.NAME).doUpdate()
                    .set(SETTINGS.VALUE, value).set(SETTINGS.UPDATED_AT, ctx.ts()).set(SETTINGS.UPDATED_BY, ctx.actor())
                    .execute();
            return null;
        }

        @Override
        public AuditRecord audit() {
            return new AuditRecord("settings.update", "setting:" + key, Map.of("value", value));
        }
    }

    @Override
    public void register(RpcRegistry registry) {
        SettingsRpc.register(registry, this);
    }

    /** The mutation types of runtime settings. */
    public static final class Kinds implements MutationKinds {
        @Override
        public List<Class<? extends Mutation<?>>> types() {
            return List.of(Set.class);
        }
    }
}
