package io.tiyi.settings;

import io.tiyi.api.RpcRegistry;
import io.tiyi.api.RpcService;
import io.tiyi.proxy.RuntimeConfig;
import io.tiyi.siem.SiemDispatcher;
import io.tiyi.store.Committed;

/**
 * A control-plane node's SIEM forwarding, kept on the {@code siem.*} settings in force: from the
 * start (audit and alert events are the control plane's and need no data plane), after every
 * settings change, and after every configuration its data plane applies. A control-plane node's
 * own settings are never older than a bundle its embedded agent applies: configuring from the
 * bundle could briefly undo a settings change committed after that bundle was compiled (and drop
 * the audit entry of that very change). Serves {@code SiemService}.
 */
public final class SiemSettings implements RpcService {
    private final Settings settings;
    private final SiemDispatcher dispatcher;

    /** Configures {@code dispatcher} from {@code settings} now. */
    public SiemSettings(Settings settings, SiemDispatcher dispatcher) {
        this.settings = settings;
        this.dispatcher = dispatcher;
        configure();
    }

    /** The {@code siem.*} settings in force. */
    public static RuntimeConfig.SiemConfig config(Settings settings) {
        return new RuntimeConfig.SiemConfig(Boolean.parseBoolean(settings.value("siem.enabled")), settings.value("siem.address"),
                settings.value("siem.format"), Boolean.parseBoolean(settings.value("siem.filter.include_audit")),
                Boolean.parseBoolean(settings.value("siem.filter.include_access")),
                Double.parseDouble(settings.value("siem.filter.access_sample_rate")), settings.value("siem.filter.min_severity"));
    }

    /** Brings the dispatcher up to the settings in force. */
    public void configure() {
        dispatcher.configure(config(settings));
    }

    /** After each commit: a settings change applies before the bundle comes round, so its own audit entry goes out under it. */
    public void committed(Committed<?> c) {
        if (Settings.Set.KIND.equals(c.kind())) {
            configure();
        }
    }

    /** After the data plane applied a configuration: the node's own settings win over the bundle's. */
    public void applied(RuntimeConfig cfg) {
        configure();
    }

    @Override
    public void register(RpcRegistry registry) {
        SiemRpc.register(registry, dispatcher, this::configure);
    }
}
