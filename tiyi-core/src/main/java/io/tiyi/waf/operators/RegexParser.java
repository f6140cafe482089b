package io.tiyi.waf.operators;

import static io.tiyi.waf.operators.RegexRequirement.EMPTY;
import static io.tiyi.waf.operators.RegexRequirement.EXACT_LIMIT;
import static io.tiyi.waf.operators.RegexRequirement.REQUIRED_LIMIT;
import static io.tiyi.waf.operators.RegexRequirement.UNKNOWN;
import static io.tiyi.waf.operators.RegexRequirement.better;
import static io.tiyi.waf.operators.RegexRequirement.literal;
import static io.tiyi.waf.operators.RegexRequirement.product;

import io.tiyi.waf.operators.RegexRequirement.Info;
import io.tiyi.waf.operators.RegexRequirement.Unsupported;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Recursive descent over java.util.regex syntax, as far as {@link RegexRequirement} models it. */
final class RegexParser {
    private final String re;
    int pos;

    RegexParser(String re) {
        this.re = re;
    }

    private boolean more() {
        return pos < re.length();
    }

    private char peek() {
        return re.charAt(pos);
    }

    Info alternation() {
        List<Info> branches = new ArrayList<>();
        branches.add(concatenation());
        while (more() && peek() == '|') {
            pos++;
            branches.add(concatenation());
        }
        if (branches.size() == 1) {
            return branches.get(0);
        }
        Set<String> exact = new LinkedHashSet<>();
        Set<String> req = new LinkedHashSet<>();
        for (Info b : branches) {
            if (exact != null) {
                if (b.exact == null) {
                    exact = null;
                } else {
                    exact.addAll(b.exact);
                    if (exact.size() > EXACT_LIMIT) {
                        exact = null;
                    }
                }
            }
            if (req != null) {
                Set<String> r = b.asRequired();
                if (r == null) {
                    req = null;
                } else {
                    req.addAll(r);
                    if (req.size() > REQUIRED_LIMIT) {
                        req = null;
                    }
                }
            }
        }
        return new Info(exact, req);
    }

    Info concatenation() {
        Set<String> best = null;
        Set<String> run = Set.of("");
        boolean whole = true;
        while (more() && peek() != '|' && peek() != ')') {
            Info a = quantified(atom());
            if (a.exact != null) {
                Set<String> p = product(run, a.exact);
                if (p == null) {
                    // The run is as long as it can get: keep it as a candidate and start anew.
                    best = better(best, new Info(run, null).asRequired());
                    whole = false;
                    run = a.exact;
                } else {
                    run = p;
                }
            } else {
                best = better(best, new Info(run, null).asRequired());
                best = better(best, a.required == null || a.required.contains("") ? null : a.required);
                whole = false;
                run = Set.of("");
            }
        }
        if (whole) {
            return new Info(run, null);
        }
        best = better(best, new Info(run, null).asRequired());
        return new Info(null, best);
    }

    private Info quantified(Info a) {
        if (!more()) {
            return a;
        }
        char c = peek();
        int min;
        int max;
        if (c == '*') {
            pos++;
            min = 0;
            max = -1;
        } else if (c == '+') {
            pos++;
            min = 1;
            max = -1;
        } else if (c == '?') {
            pos++;
            min = 0;
            max = 1;
        } else if (c == '{') {
            int close = re.indexOf('}', pos);
            if (close < 0) {
                throw new Unsupported();
            }
            String body = re.substring(pos + 1, close);
            int comma = body.indexOf(',');
            if (comma < 0) {
                min = Integer.parseInt(body.trim());
                max = min;
            } else {
                min = Integer.parseInt(body.substring(0, comma).trim());
                String hi = body.substring(comma + 1).trim();
                max = hi.isEmpty() ? -1 : Integer.parseInt(hi);
            }
            pos = close + 1;
        } else {
            return a;
        }
        if (more() && (peek() == '?' || peek() == '+')) {
            pos++; // lazy or possessive: the same strings
        }
        if (min == 0) {
            if (max == 1 && a.exact != null) {
                Set<String> e = new LinkedHashSet<>(a.exact);
                e.add("");
                return new Info(e, null);
            }
            return max == 0 ? EMPTY : UNKNOWN;
        }
        if (min == 1 && max == 1) {
            return a;
        }
        // x{n} is n copies of x, and x{n,} or x{n,m} starts with them: \.{2,3} requires "..", not ".".
        Set<String> copies = a.exact;
        for (int i = 1; i < min && copies != null; i++) {
            copies = i < 16 ? product(copies, a.exact) : null;
        }
        if (copies != null && min == max) {
            return new Info(copies, null);
        }
        Set<String> req = copies == null ? null : new Info(copies, null).asRequired();
        return new Info(null, req != null ? req : a.asRequired());
    }

    private Info atom() {
        char c = re.charAt(pos++);
        switch (c) {
            case '(':
                return group();
            case '[':
                return charClass();
            case '.':
                return UNKNOWN;
            case '^':
            case '$':
                return EMPTY;
            case '\\':
                return escape();
            case '*':
            case '+':
            case '?':
            case '{':
            case ')':
            case '|':
                throw new Unsupported();
            default:
                return literal(c);
        }
    }

    private Info group() {
        boolean zeroWidth = false;
        if (more() && peek() == '?') {
            pos++;
            char k = re.charAt(pos);
            if (k == ':' || k == '>') {
                pos++;
            } else if (k == '=' || k == '!') {
                pos++;
                zeroWidth = true;
            } else if (k == '<') {
                char k2 = re.charAt(pos + 1);
                if (k2 == '=' || k2 == '!') {
                    pos += 2;
                    zeroWidth = true;
                } else {
                    int close = re.indexOf('>', pos);
                    if (close < 0) {
                        throw new Unsupported();
                    }
                    pos = close + 1;
                }
            } else {
                // Inline flags: (?i) (?i-s) (?i:...). Only those that do not change what a literal means.
                while (more() && "imsd-".indexOf(peek()) >= 0) {
                    pos++;
                }
                char end = re.charAt(pos++);
                if (end == ')') {
                    return EMPTY;
                }
                if (end != ':') {
                    throw new Unsupported();
                }
            }
        }
        Info inner = alternation();
        if (!more() || peek() != ')') {
            throw new Unsupported();
        }
        pos++;
        return zeroWidth ? EMPTY : inner;
    }

    private Info escape() {
        char c = re.charAt(pos++);
        switch (c) {
            case 'b':
            case 'B':
            case 'A':
            case 'z':
            case 'Z':
            case 'G':
                return EMPTY;
            case 'd':
            case 'D':
            case 's':
            case 'S':
            case 'w':
            case 'W':
            case 'h':
            case 'H':
            case 'v':
            case 'V':
            case 'R':
            case 'X':
                return UNKNOWN;
            case 'p':
            case 'P':
                if (more() && peek() == '{') {
                    int close = re.indexOf('}', pos);
                    if (close < 0) {
                        throw new Unsupported();
                    }
                    pos = close + 1;
                } else {
                    pos++;
                }
                return UNKNOWN;
            case 'Q': {
                int end = re.indexOf("\\E", pos);
                int stop = end < 0 ? re.length() : end;
                Set<String> one = Set.of("");
                for (int i = pos; i < stop; i++) {
                    Info l = literal(re.charAt(i));
                    if (l.exact == null) {
                        pos = end < 0 ? stop : end + 2;
                        return UNKNOWN;
                    }
                    one = product(one, l.exact);
                }
                pos = end < 0 ? stop : end + 2;
                return new Info(one, null);
            }
            default:
                return literal(escapedChar(c));
        }
    }

    /** A single-character escape (after the backslash), or Unsupported. */
    private char escapedChar(char c) {
        switch (c) {
            case 't':
                return '\t';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 'f':
                return '\f';
            case 'a':
                return '\u0007';
            case 'e':
                return '\u001B';
            case 'x': {
                if (peek() == '{') {
                    int close = re.indexOf('}', pos);
                    int cp = Integer.parseInt(re.substring(pos + 1, close), 16);
                    pos = close + 1;
                    if (cp > 0xFFFF || Character.isSurrogate((char) cp)) {
                        throw new Unsupported(); // a supplementary character is two chars in the value
                    }
                    return (char) cp;
                }
                int v = Integer.parseInt(re.substring(pos, pos + 2), 16);
                pos += 2;
                return (char) v;
            }
            case 'u': {
                int v = Integer.parseInt(re.substring(pos, pos + 4), 16);
                pos += 4;
                return (char) v;
            }
            default:
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                    throw new Unsupported(); // back-references, octal, control and other escapes
                }
                return c;
        }
    }

    /** A class: its characters when few, simple and not negated, else any character. */
    private Info charClass() {
        boolean simple = true;
        if (more() && peek() == '^') {
            pos++;
            simple = false;
        }
        Set<String> chars = new LinkedHashSet<>();
        boolean first = true;
        while (true) {
            char c = re.charAt(pos++);
            if (c == ']' && !first) {
                break;
            }
            first = false;
            if (c == '[') {
                pos--;
                skipNestedClass();
                simple = false;
                continue;
            }
            if (c == '&' && more() && peek() == '&') {
                simple = false;
                pos++;
                continue;
            }
            char lo;
            if (c == '\\') {
                char e = re.charAt(pos++);
                if ("dDsSwWhHvV".indexOf(e) >= 0) {
                    simple = false;
                    continue;
                }
                if (e == 'p' || e == 'P') {
                    if (peek() == '{') {
                        pos = re.indexOf('}', pos) + 1;
                        if (pos == 0) {
                            throw new Unsupported();
                        }
                    } else {
                        pos++;
                    }
                    simple = false;
                    continue;
                }
                if (e == 'Q') {
                    throw new Unsupported();
                }
                lo = escapedChar(e);
            } else {
                lo = c;
            }
            char hi = lo;
            if (more() && peek() == '-' && pos + 1 < re.length() && re.charAt(pos + 1) != ']' && re.charAt(pos + 1) != '[') {
                pos++;
                char h = re.charAt(pos++);
                if (h == '\\') {
                    char e = re.charAt(pos++);
                    if ("dDsSwWhHvVpPQ".indexOf(e) >= 0) {
                        throw new Unsupported();
                    }
                    h = escapedChar(e);
                }
                hi = h;
            }
            if (hi - lo > 16) {
                simple = false;
                continue;
            }
            for (char x = lo; x <= hi; x++) {
                chars.add(String.valueOf(AhoCorasick.lower(x)));
            }
        }
        if (!simple || chars.isEmpty() || chars.size() > 16) {
            return UNKNOWN;
        }
        return new Info(chars, null);
    }

    /** Skips a nested class {@code [...]} (its content only needs to be stepped over). */
    private void skipNestedClass() {
        int depth = 0;
        boolean first = false;
        while (true) {
            char c = re.charAt(pos++);
            if (c == '\\') {
                pos++;
                first = false;
                continue;
            }
            if (c == '[') {
                depth++;
                first = true;
                if (more() && peek() == '^') {
                    pos++;
                }
                continue;
            }
            if (c == ']' && !first) {
                depth--;
                if (depth == 0) {
                    return;
                }
            }
            first = false;
        }
    }
}
