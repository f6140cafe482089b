package io.tiyi.waf.injection;

import java.util.Map;

/**
 * An immutable map from upper-case ASCII words to a one-character type, looked up with
 * libinjection's case rule: only {@code a-z} in the probe are folded to upper case.
 *
 * <p>Lookups read a region of an existing string, so the tokenizer never builds a key string for
 * the (very frequent) words that are not keywords.
 */
final class KeywordTable {
    /** The answer when the word is not in the table. */
    static final char NONE = '\0';

    private final String[] keys;
    private final char[] types;
    private final int mask;

    KeywordTable(Map<String, Character> entries) {
        int capacity = Integer.highestOneBit(Math.max(4, entries.size() * 3)) << 1;
        keys = new String[capacity];
        types = new char[capacity];
        mask = capacity - 1;
        for (Map.Entry<String, Character> e : entries.entrySet()) {
            String key = e.getKey();
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (c >= 'a' && c <= 'z') {
                    throw new IllegalArgumentException("keyword not upper case: " + key);
                }
            }
            int slot = hash(key, 0, key.length()) & mask;
            while (keys[slot] != null && !keys[slot].equals(key)) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            types[slot] = e.getValue();
        }
    }

    /** The type of {@code s[from, from + len)} or {@link #NONE}. */
    char lookup(CharSequence s, int from, int len) {
        int slot = hash(s, from, len) & mask;
        String key;
        while ((key = keys[slot]) != null) {
            if (matches(key, s, from, len)) {
                return types[slot];
            }
            slot = (slot + 1) & mask;
        }
        return NONE;
    }

    char lookup(CharSequence s) {
        return lookup(s, 0, s.length());
    }

    /** The type of the phrase {@code first + ' ' + second}, without building it. */
    char lookupPhrase(String first, String second) {
        int len = first.length() + 1 + second.length();
        int h = len;
        h = hashStep(h, first);
        h = 31 * h + ' ';
        h = hashStep(h, second);
        int slot = (h ^ (h >>> 16)) & mask;
        String key;
        while ((key = keys[slot]) != null) {
            if (key.length() == len && key.charAt(first.length()) == ' '
                    && matches(key, 0, first) && matches(key, first.length() + 1, second)) {
                return types[slot];
            }
            slot = (slot + 1) & mask;
        }
        return NONE;
    }

    private static int hashStep(int h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = 31 * h + upper(s.charAt(i));
        }
        return h;
    }

    private static boolean matches(String key, int at, String part) {
        for (int i = 0; i < part.length(); i++) {
            if (key.charAt(at + i) != upper(part.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(String key, CharSequence s, int from, int len) {
        if (key.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (key.charAt(i) != upper(s.charAt(from + i))) {
                return false;
            }
        }
        return true;
    }

    private static int hash(CharSequence s, int from, int len) {
        int h = len;
        for (int i = 0; i < len; i++) {
            h = 31 * h + upper(s.charAt(from + i));
        }
        return h ^ (h >>> 16);
    }

    private static char upper(char c) {
        return c >= 'a' && c <= 'z' ? (char) (c - 0x20) : c;
    }
}
