package io.tiyi.waf.engine;

import io.tiyi.waf.seclang.SecLangException;
import java.util.Locale;

/**
 * {@code setvar:tx.name=value}, {@code =+N} / {@code =-N} to add or subtract,
 * {@code !tx.name} to delete, {@code tx.name} alone to set 1. Names and values expand macros at
 * match time. The collection is {@code tx} (or {@code ip}, {@code global}, {@code session},
 * {@code user}, {@code resource}, kept for the transaction).
 */
final class Setvar implements Action {
    private enum Op {
        SET,
        ADD,
        SUB,
        DELETE
    }

    private final String collection;
    private final Macro name;
    private final Macro value;
    private final Op op;
    /** The amount of a constant {@code =+N} / {@code =-N}, read once at load. */
    private final long constantAmount;

    Setvar(String v, String where) {
        if (v == null || v.isBlank()) {
            throw new SecLangException(where, "setvar needs collection.name[=value]");
        }
        String s = v.trim();
        boolean delete = s.startsWith("!");
        if (delete) {
            s = s.substring(1);
        }
        int eq = s.indexOf('=');
        String lhs = eq < 0 ? s : s.substring(0, eq);
        int dot = lhs.indexOf('.');
        if (dot <= 0) {
            throw new SecLangException(where, "setvar '" + v + "' needs collection.name, for example tx.score");
        }
        this.collection = lhs.substring(0, dot).trim().toUpperCase(Locale.ROOT);
        this.name = Macro.of(lhs.substring(dot + 1).trim());
        if (delete) {
            op = Op.DELETE;
            value = null;
        } else if (eq < 0) {
            op = Op.SET;
            value = Macro.of("1");
        } else {
            String rhs = s.substring(eq + 1);
            if (rhs.startsWith("+")) {
                op = Op.ADD;
                value = Macro.of(rhs.substring(1));
            } else if (rhs.startsWith("-")) {
                op = Op.SUB;
                value = Macro.of(rhs.substring(1));
            } else {
                op = Op.SET;
                value = Macro.of(rhs);
            }
        }
        constantAmount = value != null && value.isConstant() ? Numbers.parse(value.text()) : 0;
    }

    @Override
    public void init(Rule rule) {
        // Runs at match time only.
    }

    @Override
    public boolean runtime() {
        return true;
    }

    @Override
    public void execute(TxState tx, Rule rule) {
        var kv = tx.vars().collection(collection);
        String key = name.expand(tx);
        switch (op) {
            case DELETE -> kv.remove(key);
            case SET -> kv.set(key, value.expand(tx));
            case ADD, SUB -> {
                long cur = Numbers.parse(kv.first(key));
                long d = value.isConstant() ? constantAmount : Numbers.parse(value.expand(tx));
                kv.set(key, Long.toString(op == Op.ADD ? cur + d : cur - d));
            }
            default -> throw new IllegalStateException();
        }
    }
}
