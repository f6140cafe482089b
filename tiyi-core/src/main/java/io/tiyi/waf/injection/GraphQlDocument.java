package io.tiyi.waf.injection;

import java.util.ArrayList;
import java.util.List;

/**
 * Recognises a GraphQL executable document (the {@code query} of a GraphQL request) by its
 * lexical grammar (GraphQL specification, October 2021, section 2.1) and its outline: it opens
 * with a selection set or an operation or fragment keyword, its braces, parentheses and brackets
 * balance, it holds at least one selection set, and values (numbers, strings) appear only in
 * arguments and variable definitions, inside parentheses. Its string values are what a client can put
 * into it as free text; everything else is names and punctuation, which a GraphQL server parses
 * and never hands to a shell or a database as text.
 */
public final class GraphQlDocument {
    /** A request's query is far smaller; longer values are not taken for documents. */
    private static final int MAX_LENGTH = 100_000;

    private GraphQlDocument() {}

    /**
     * The string values (quoted and block strings, unescaped) of {@code s} when it is a GraphQL
     * executable document, or null when it is not one.
     */
    public static List<String> strings(String s) {
        int n = s.length();
        if (n == 0 || n > MAX_LENGTH) {
            return null;
        }
        List<String> strings = new ArrayList<>();
        StringBuilder stack = new StringBuilder();
        boolean first = true;
        boolean selection = false;
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '\uFEFF') {
                i++;
                continue;
            }
            if (c == '#') {
                while (i < n && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
                    i++;
                }
                continue;
            }
            if (first) {
                if (c != '{' && !startsWithKeyword(s, i)) {
                    return null;
                }
                first = false;
            }
            if (c == '{' || c == '(' || c == '[') {
                stack.append(c);
                selection |= c == '{';
                i++;
            } else if (c == '}' || c == ')' || c == ']') {
                char open = c == '}' ? '{' : c == ')' ? '(' : '[';
                if (stack.length() == 0 || stack.charAt(stack.length() - 1) != open) {
                    return null;
                }
                stack.setLength(stack.length() - 1);
                i++;
            } else if (c == '!' || c == '$' || c == ':' || c == '=' || c == '@') {
                // & and | belong to type definitions, not to the documents clients send.
                i++;
            } else if (c == '.') {
                if (!s.startsWith("...", i)) {
                    return null;
                }
                i += 3;
            } else if (c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
                while (i < n && isNameChar(s.charAt(i))) {
                    i++;
                }
            } else if (stack.indexOf("(") < 0) {
                // Values (numbers, strings) are arguments or variable defaults, always in parentheses:
                // a selection set holds names only, so a JSON object is not a document.
                return null;
            } else if (c == '-' || c >= '0' && c <= '9') {
                i = number(s, i);
                if (i < 0) {
                    return null;
                }
            } else if (c == '"') {
                i = s.startsWith("\"\"\"", i) ? blockString(s, i + 3, strings) : string(s, i + 1, strings);
                if (i < 0) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return !first && selection && stack.length() == 0 ? strings : null;
    }

    private static boolean startsWithKeyword(String s, int i) {
        for (String k : new String[] {"query", "mutation", "subscription", "fragment"}) {
            if (s.startsWith(k, i) && (i + k.length() == s.length() || !isNameChar(s.charAt(i + k.length())))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNameChar(char c) {
        return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }

    /** IntValue or FloatValue from {@code i}; the index after it, or -1. A name may not follow directly. */
    private static int number(String s, int i) {
        int n = s.length();
        if (s.charAt(i) == '-') {
            i++;
        }
        int digits = i;
        while (i < n && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
            i++;
        }
        if (i == digits || s.charAt(digits) == '0' && i - digits > 1) {
            return -1;
        }
        if (i < n && s.charAt(i) == '.') {
            int f = ++i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == f) {
                return -1;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int e = i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == e) {
                return -1;
            }
        }
        return i < n && (isNameChar(s.charAt(i)) || s.charAt(i) == '.') ? -1 : i;
    }

    /** A quoted string from after its quote; adds its value, returns the index after it, or -1. */
    private static int string(String s, int i, List<String> out) {
        StringBuilder v = new StringBuilder();
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"') {
                out.add(v.toString());
                return i + 1;
            }
            if (c == '\n' || c == '\r') {
                return -1;
            }
            if (c == '\\') {
                if (i + 1 >= n) {
                    return -1;
                }
                char e = s.charAt(i + 1);
                switch (e) {
                    case '"', '\\', '/' -> v.append(e);
                    case 'b' -> v.append('\b');
                    case 'f' -> v.append('\f');
                    case 'n' -> v.append('\n');
                    case 'r' -> v.append('\r');
                    case 't' -> v.append('\t');
                    case 'u' -> {
                        if (i + 6 > n) {
                            return -1;
                        }
                        try {
                            v.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                        } catch (NumberFormatException x) {
                            return -1;
                        }
                        i += 4;
                    }
                    default -> {
                        return -1;
                    }
                }
                i += 2;
                continue;
            }
            v.append(c);
            i++;
        }
        return -1;
    }

    /** A block string from after its opening quotes; adds its raw value, returns the index after it, or -1. */
    private static int blockString(String s, int i, List<String> out) {
        StringBuilder v = new StringBuilder();
        int n = s.length();
        while (i < n) {
            if (s.startsWith("\\\"\"\"", i)) {
                v.append("\"\"\"");
                i += 4;
            } else if (s.startsWith("\"\"\"", i)) {
                out.add(v.toString());
                return i + 3;
            } else {
                v.append(s.charAt(i++));
            }
        }
        return -1;
    }
}
