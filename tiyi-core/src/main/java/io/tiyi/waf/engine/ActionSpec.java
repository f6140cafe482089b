package io.tiyi.waf.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * One action as written in a rule: {@code name} or {@code name:value}; single quotes around the
 * value are removed ({@code msg:'a, b'}), and {@code \'} inside them is a quote.
 *
 * @param name action name, as written
 * @param value its argument, or null
 */
record ActionSpec(String name, String value) {
    /** Splits an action list on commas outside single quotes. */
    static List<ActionSpec> parseList(String s, String where) {
        List<ActionSpec> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == ',')) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int ns = i;
            while (i < n && s.charAt(i) != ':' && s.charAt(i) != ',') {
                i++;
            }
            String name = s.substring(ns, i).trim();
            String value = null;
            if (i < n && s.charAt(i) == ':') {
                i++;
                while (i < n && s.charAt(i) == ' ') {
                    i++;
                }
                StringBuilder v = new StringBuilder();
                if (i < n && s.charAt(i) == '\'') {
                    i++;
                    boolean closed = false;
                    while (i < n) {
                        char c = s.charAt(i);
                        if (c == '\\' && i + 1 < n && s.charAt(i + 1) == '\'') {
                            v.append('\'');
                            i += 2;
                            continue;
                        }
                        if (c == '\'') {
                            closed = true;
                            i++;
                            break;
                        }
                        v.append(c);
                        i++;
                    }
                    if (!closed) {
                        throw new io.tiyi.waf.seclang.SecLangException(where, "unterminated single quote in action " + name);
                    }
                    while (i < n && s.charAt(i) != ',') {
                        i++;
                    }
                } else {
                    while (i < n && s.charAt(i) != ',') {
                        v.append(s.charAt(i));
                        i++;
                    }
                }
                value = v.toString().trim();
            }
            if (!name.isEmpty()) {
                out.add(new ActionSpec(name, value));
            }
        }
        return out;
    }
}
