package io.tiyi.waf.injection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * libinjection's SQL tables: the class of each byte, the keyword types and the known SQLi
 * fingerprints.
 *
 * <p>The tables are libinjection's data, not Tiyi's: the build copies {@code sqlparse_data.json}
 * from {@code ../shared/libinjection} into the jar, and the first detection loads it from the
 * classpath. Once loaded the tables are never modified, so every thread shares them.
 */
final class SqliTables {
    static final String RESOURCE = "/io/tiyi/waf/injection/sqlparse_data.json";

    // Byte classes, named as in libinjection's charmap; each selects one tokenizer routine.
    static final byte CHAR_WHITE = 0;
    static final byte CHAR_WORD = 1;
    static final byte CHAR_OP1 = 2;
    static final byte CHAR_UNARY = 3;
    static final byte CHAR_OP2 = 4;
    static final byte CHAR_BANG = 5;
    static final byte CHAR_BACK = 6;
    static final byte CHAR_DASH = 7;
    static final byte CHAR_STR = 8;
    static final byte CHAR_HASH = 9;
    static final byte CHAR_NUM = 10;
    static final byte CHAR_SLASH = 11;
    static final byte CHAR_SEMICOLON = 12;
    static final byte CHAR_COMMA = 13;
    static final byte CHAR_LEFTPARENS = 14;
    static final byte CHAR_RIGHTPARENS = 15;
    static final byte CHAR_LEFTBRACE = 16;
    static final byte CHAR_RIGHTBRACE = 17;
    static final byte CHAR_VAR = 18;
    static final byte CHAR_OTHER = 19;
    static final byte CHAR_MONEY = 20;
    static final byte CHAR_TICK = 21;
    static final byte CHAR_USTRING = 22;
    static final byte CHAR_QSTRING = 23;
    static final byte CHAR_NQSTRING = 24;
    static final byte CHAR_XSTRING = 25;
    static final byte CHAR_BSTRING = 26;
    static final byte CHAR_ESTRING = 27;
    static final byte CHAR_BWORD = 28;

    private static final String[] CLASS_NAMES = {
        "CHAR_WHITE", "CHAR_WORD", "CHAR_OP1", "CHAR_UNARY", "CHAR_OP2", "CHAR_BANG", "CHAR_BACK",
        "CHAR_DASH", "CHAR_STR", "CHAR_HASH", "CHAR_NUM", "CHAR_SLASH", "CHAR_SEMICOLON",
        "CHAR_COMMA", "CHAR_LEFTPARENS", "CHAR_RIGHTPARENS", "CHAR_LEFTBRACE", "CHAR_RIGHTBRACE",
        "CHAR_VAR", "CHAR_OTHER", "CHAR_MONEY", "CHAR_TICK", "CHAR_USTRING", "CHAR_QSTRING",
        "CHAR_NQSTRING", "CHAR_XSTRING", "CHAR_BSTRING", "CHAR_ESTRING", "CHAR_BWORD",
    };

    private static volatile SqliTables instance;

    private final byte[] charClasses;
    private final KeywordTable keywords;
    private final KeywordTable fingerprints;

    private SqliTables(byte[] charClasses, KeywordTable keywords, KeywordTable fingerprints) {
        this.charClasses = charClasses;
        this.keywords = keywords;
        this.fingerprints = fingerprints;
    }

    /** The tables, loaded on first use. */
    static SqliTables get() {
        SqliTables t = instance;
        if (t == null) {
            synchronized (SqliTables.class) {
                t = instance;
                if (t == null) {
                    t = load();
                    instance = t;
                }
            }
        }
        return t;
    }

    /** The class of byte {@code c}; chars above 0xFF, outside the byte-string contract, count as word bytes. */
    byte charClass(char c) {
        return c < 256 ? charClasses[c] : CHAR_WORD;
    }

    /** The keyword type of {@code s[from, from + len)}, ignoring ASCII case, or {@link KeywordTable#NONE}. */
    char keyword(CharSequence s, int from, int len) {
        return keywords.lookup(s, from, len);
    }

    char keyword(CharSequence s) {
        return keywords.lookup(s);
    }

    /** The keyword type of the phrase {@code first + ' ' + second}, such as UNION ALL. */
    char keywordPhrase(String first, String second) {
        return keywords.lookupPhrase(first, second);
    }

    /** Whether the fingerprint is a known SQLi one; like libinjection, letter case is ignored. */
    boolean isKnownFingerprint(CharSequence fingerprint) {
        return fingerprints.lookup(fingerprint) != KeywordTable.NONE;
    }

    private static SqliTables load() {
        try (InputStream in = SqliTables.class.getResourceAsStream(RESOURCE)) {
            return load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read libinjection data " + RESOURCE, e);
        }
    }

    /** Parses the tables; {@code in} is null when the resource is missing from the classpath. */
    static SqliTables load(InputStream in) throws IOException {
        if (in == null) {
            throw new IllegalStateException("libinjection data not found on the classpath at " + RESOURCE
                    + ": the build takes sqlparse_data.json from ../shared/libinjection into the jar;"
                    + " rebuild with that directory present");
        }
        JsonNode root = new ObjectMapper().readTree(in);
        return new SqliTables(charClasses(root.path("charmap")), keywords(root.path("keywords")),
                fingerprints(root.path("fingerprints")));
    }

    private static byte[] charClasses(JsonNode charmap) {
        if (!charmap.isArray() || charmap.size() != 256) {
            throw new IllegalStateException("libinjection data: charmap must list 256 classes");
        }
        Map<String, Byte> byName = new HashMap<>();
        for (int i = 0; i < CLASS_NAMES.length; i++) {
            byName.put(CLASS_NAMES[i], (byte) i);
        }
        byte[] classes = new byte[256];
        for (int i = 0; i < 256; i++) {
            Byte cls = byName.get(charmap.get(i).asText());
            if (cls == null) {
                throw new IllegalStateException("libinjection data: unknown char class " + charmap.get(i));
            }
            classes[i] = cls;
        }
        return classes;
    }

    private static KeywordTable keywords(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalStateException("libinjection data: keywords must be an object");
        }
        Map<String, Character> map = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String type = e.getValue().asText();
            if (type.length() != 1) {
                throw new IllegalStateException("libinjection data: bad type for keyword " + e.getKey());
            }
            map.put(upperAscii(e.getKey()), type.charAt(0));
        }
        return new KeywordTable(map);
    }

    private static KeywordTable fingerprints(JsonNode node) {
        if (!node.isArray() || node.isEmpty()) {
            throw new IllegalStateException("libinjection data: fingerprints must be a non-empty list");
        }
        Map<String, Character> map = new HashMap<>();
        for (JsonNode fp : node) {
            map.put(upperAscii(fp.asText()), 'F');
        }
        return new KeywordTable(map);
    }

    private static String upperAscii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 'a' && c <= 'z' ? (char) (c - 0x20) : c);
        }
        return b.toString();
    }
}
