package io.tiyi.waf.transforms;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The registry of SecLang transformations: the one place where each {@code t:name} is bound to its
 * implementation.
 *
 * <p>Names are matched case-insensitively (CRS writes both {@code base64Decode} and
 * {@code base64decode}). {@code t:none} is not here: it is not a transformation but an instruction to
 * the rule engine to clear the list.
 */
public final class Transformations {

    /** By lower-case name. */
    private static final Map<String, Transformation> BY_NAME;
    /** As registered, in registration order. */
    private static final Set<String> NAMES;

    static {
        Registry r = new Registry();
        r.add(new Lowercase());
        r.add(new Uppercase());
        r.add(new UrlDecode());
        r.add(new UrlDecodeUni());
        r.add(new HtmlEntityDecode());
        r.add(new JsDecode());
        r.add(new CssDecode());
        r.add(new CmdLine());
        r.add(new CompressWhitespace());
        r.add(new RemoveWhitespace());
        r.add(new RemoveNulls());
        r.add(new ReplaceNulls());
        r.add(new ReplaceComments());
        r.add(new RemoveComments());
        r.add(new RemoveCommentsChar());
        r.add(new NormalizePath(), "normalisePath");
        r.add(new NormalizePathWin(), "normalisePathWin");
        r.add(new Base64Decode());
        r.add(new Base64DecodeExt());
        r.add(new Base64Encode());
        r.add(new HexDecode());
        r.add(new HexEncode());
        r.add(new SqlHexDecode());
        r.add(new EscapeSeqDecode());
        r.add(new Utf8ToUnicode());
        r.add(new Length());
        r.add(new Md5());
        r.add(new Sha1());
        r.add(new Trim());
        r.add(new TrimLeft());
        r.add(new TrimRight());
        r.add(new ParityEven7bit());
        r.add(new ParityOdd7bit());
        r.add(new ParityZero7bit());
        BY_NAME = Map.copyOf(r.byName);
        NAMES = Collections.unmodifiableSet(r.names);
    }

    private Transformations() {
    }

    /**
     * The transformation for a SecLang name, case-insensitive (CRS writes both base64Decode and
     * base64decode); empty for unknown names.
     *
     * <p>An alias resolves to the same instance as its main name: {@code normalisePath} gives the
     * transformation whose {@link Transformation#name()} is {@code normalizePath}.
     *
     * @throws NullPointerException if {@code name} is null
     */
    public static Optional<Transformation> byName(String name) {
        Objects.requireNonNull(name, "name");
        return Optional.ofNullable(BY_NAME.get(name.toLowerCase(Locale.ROOT)));
    }

    /** Every registered SecLang name, aliases included, as SecLang spells them; unmodifiable. */
    public static Set<String> names() {
        return NAMES;
    }

    /** Collects the registrations, refusing two that clash. */
    private static final class Registry {
        final Map<String, Transformation> byName = new HashMap<>();
        final Set<String> names = new LinkedHashSet<>();

        void add(Transformation t, String... aliases) {
            put(t.name(), t);
            for (String alias : aliases) {
                put(alias, t);
            }
        }

        private void put(String name, Transformation t) {
            if (byName.putIfAbsent(name.toLowerCase(Locale.ROOT), t) != null) {
                throw new IllegalStateException("transformation registered twice: " + name);
            }
            names.add(name);
        }
    }
}
