package io.tiyi.waf.engine;

import io.tiyi.waf.seclang.SecLangException;
import java.util.Locale;

/** Every action, by SecLang name: the one place they are registered. */
final class Actions {
    private Actions() {}

    static Action create(ActionSpec a, String where) {
        String v = a.value();
        switch (a.name().toLowerCase(Locale.ROOT)) {
            case "id":
                return new Id(require(a, where), where);
            case "phase":
                return new Phase(require(a, where), where);
            case "msg":
                return new Msg(v);
            case "logdata":
                return new Logdata(v);
            case "tag":
                return new Tag(v);
            case "severity":
                return new Severity(v, where);
            case "ver":
                return new Ver(v);
            case "rev":
            case "maturity":
            case "accuracy":
                return new Metadata();
            case "chain":
                return new Chain();
            case "skip":
                return new Skip(require(a, where), where);
            case "skipafter":
                return new SkipAfter(v, where);
            case "deny":
                return new DisruptiveAction(Disruptive.DENY, null);
            case "drop":
                return new DisruptiveAction(Disruptive.DROP, null);
            case "block":
                return new DisruptiveAction(Disruptive.BLOCK, null);
            case "pass":
                return new DisruptiveAction(Disruptive.PASS, null);
            case "allow":
                return new DisruptiveAction(Disruptive.ALLOW, v);
            case "redirect":
                return new Redirect(v);
            case "status":
                return new Status(require(a, where), where);
            case "capture":
                return new Capture();
            case "multimatch":
                return new MultiMatch();
            case "log":
                return new Log(true);
            case "nolog":
                return new Log(false);
            case "auditlog":
                return new Auditlog(true);
            case "noauditlog":
                return new Auditlog(false);
            case "t":
                return new T(v, where);
            case "setvar":
                return new Setvar(v, where);
            case "ctl":
                return new Ctl(v, where);
            case "setenv":
                return new Setenv(v, where);
            case "expirevar":
            case "initcol":
            case "sanitisearg":
            case "sanitisematched":
            case "sanitisematchedbytes":
            case "sanitiserequestheader":
            case "sanitiseresponseheader":
            case "setuid":
            case "setsid":
            case "setrsc":
            case "deprecatevar":
            case "xmlns":
            case "append":
            case "prepend":
                return new NoOpAction();
            case "exec":
                throw new SecLangException(where, "the exec action is not supported: Tiyi does not run external scripts from rules");
            default:
                throw new SecLangException(where, "unknown action '" + a.name() + "'");
        }
    }

    private static String require(ActionSpec a, String where) {
        if (a.value() == null || a.value().isBlank()) {
            throw new SecLangException(where, "action " + a.name() + " needs a value (" + a.name() + ":...)");
        }
        return a.value();
    }
}
