package io.tiyi.waf.injection;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * libinjection's SQL tables: the class of each byte, the keyword types and the known SQLi
 * fingerprints.
 *
 * <p>The tables are derived from libinjection's {@code sqlparse_data.json} (BSD-3-Clause; provenance
 * and licence in {@code NOTICE} beside the resource) into {@value #RESOURCE}, a line format of
 * Tiyi's own: {@code c <byte> <class>}, {@code k <type> <keyword>} and {@code f <fingerprint>}.
 * {@link #preload()} loads them when a WAF is built, so a missing or damaged resource stops the
 * WAF from being built instead of failing every request. Once loaded the tables are never
 * modified, so every thread shares them.
 */
final class SqliTables {
    static final String RESOURCE = "/io/tiyi/waf/injection/sqli-tables.txt";

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

    /**
     * Loads the tables now if they are not loaded yet.
     *
     * @throws IllegalStateException naming the resource and what is wrong with it
     */
    static void preload() {
        get();
    }

    private static SqliTables load() {
        try (InputStream in = SqliTables.class.getResourceAsStream(RESOURCE)) {
            return load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the SQL injection tables " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** Parses the tables; {@code in} is null when the resource is missing from the classpath. */
    static SqliTables load(InputStream in) throws IOException {
        if (in == null) {
            throw new IllegalStateException("the SQL injection tables " + RESOURCE + " are missing from the classpath:"
                    + " the tiyi-core jar is incomplete; rebuild or reinstall it");
        }
        String[] classNames = new String[256];
        Map<String, Character> keywords = new HashMap<>();
        Map<String, Character> fingerprints = new HashMap<>();
        Map<String, Byte> byName = new HashMap<>();
        for (int i = 0; i < CLASS_NAMES.length; i++) {
            byName.put(CLASS_NAMES[i], (byte) i);
        }
        byte[] classes = new byte[256];
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        int lineNo = 0;
        for (String line; (line = r.readLine()) != null; ) {
            lineNo++;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ", 3);
            switch (f[0]) {
                case "c" -> {
                    int b = f.length == 3 ? parseByte(f[1]) : -1;
                    Byte cls = f.length == 3 ? byName.get(f[2]) : null;
                    if (b < 0 || cls == null || classNames[b] != null) {
                        throw bad(lineNo, "a char class line needs a new byte 0-255 and a known class");
                    }
                    classNames[b] = f[2];
                    classes[b] = cls;
                }
                case "k" -> {
                    if (f.length != 3 || f[1].length() != 1 || f[2].isEmpty()) {
                        throw bad(lineNo, "a keyword line needs a one-letter type and a keyword");
                    }
                    keywords.put(upperAscii(f[2]), f[1].charAt(0));
                }
                case "f" -> {
                    if (f.length != 2 || f[1].isEmpty()) {
                        throw bad(lineNo, "a fingerprint line needs one fingerprint");
                    }
                    fingerprints.put(upperAscii(f[1]), 'F');
                }
                default -> throw bad(lineNo, "unknown line kind '" + f[0] + "'");
            }
        }
        for (int b = 0; b < 256; b++) {
            if (classNames[b] == null) {
                throw new IllegalStateException("SQL injection tables " + RESOURCE + ": no char class for byte " + b);
            }
        }
        if (keywords.isEmpty() || fingerprints.isEmpty()) {
            throw new IllegalStateException("SQL injection tables " + RESOURCE + ": no keywords or no fingerprints");
        }
        return new SqliTables(classes, new KeywordTable(keywords), new KeywordTable(fingerprints));
    }

    private static int parseByte(String s) {
        try {
            int b = Integer.parseInt(s);
            return b >= 0 && b < 256 ? b : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static IllegalStateException bad(int line, String what) {
        return new IllegalStateException("SQL injection tables " + RESOURCE + " line " + line + ": " + what);
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
