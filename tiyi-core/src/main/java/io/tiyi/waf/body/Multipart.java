package io.tiyi.waf.body;

import io.tiyi.waf.variables.TxVariables;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code multipart/form-data}: fields become {@code ARGS_POST}, files {@code FILES} (field name to
 * file name), {@code FILES_NAMES}, {@code FILES_SIZES}, and every part header
 * {@code MULTIPART_PART_HEADERS}. Deviations from RFC 7578 that attackers use to slip past
 * parsers set the {@code MULTIPART_*} flags and {@code MULTIPART_STRICT_ERROR}, which CRS checks.
 */
public final class Multipart {
    private Multipart() {}

    /** The boundary of a Content-Type, or null; sets the boundary flags. */
    static String boundary(String contentType, TxVariables v) {
        int at = contentType.toLowerCase(Locale.ROOT).indexOf("boundary");
        if (at < 0) {
            return null;
        }
        int eq = contentType.indexOf('=', at);
        if (eq < 0) {
            return null;
        }
        String b = contentType.substring(eq + 1);
        if (contentType.substring(at + "boundary".length(), eq).isBlank() && !contentType.substring(at + "boundary".length(), eq).isEmpty()) {
            v.set("MULTIPART_BOUNDARY_WHITESPACE", "1");
        }
        int semi = b.indexOf(';');
        if (semi >= 0) {
            b = b.substring(0, semi);
        }
        if (!b.equals(b.strip())) {
            v.set("MULTIPART_BOUNDARY_WHITESPACE", "1");
            b = b.strip();
        }
        if (b.startsWith("\"")) {
            v.set("MULTIPART_BOUNDARY_QUOTED", "1");
            b = b.length() > 1 && b.endsWith("\"") ? b.substring(1, b.length() - 1) : b.substring(1);
        }
        return b.isEmpty() ? null : b;
    }

    /** Parses a body; returns an error message for a body that is not multipart at all, else null. */
    public static String parse(String contentType, String body, TxVariables v) {
        for (String flag : List.of("MULTIPART_BOUNDARY_QUOTED", "MULTIPART_BOUNDARY_WHITESPACE", "MULTIPART_DATA_BEFORE",
                "MULTIPART_DATA_AFTER", "MULTIPART_HEADER_FOLDING", "MULTIPART_LF_LINE", "MULTIPART_MISSING_SEMICOLON",
                "MULTIPART_INVALID_QUOTING", "MULTIPART_INVALID_PART", "MULTIPART_INVALID_HEADER_FOLDING", "MULTIPART_FILE_LIMIT_EXCEEDED",
                "MULTIPART_UNMATCHED_BOUNDARY", "MULTIPART_CRLF_LF_LINES")) {
            v.set(flag, "0");
        }
        String boundary = boundary(contentType, v);
        if (boundary == null) {
            strict(v);
            return "multipart: no boundary in Content-Type";
        }
        String delim = "--" + boundary;
        int first = body.indexOf(delim);
        if (first < 0) {
            v.set("MULTIPART_UNMATCHED_BOUNDARY", "1");
            strict(v);
            return "multipart: boundary not found in body";
        }
        if (!body.substring(0, first).isBlank()) {
            v.set("MULTIPART_DATA_BEFORE", "1");
        }
        boolean lf = false;
        boolean crlf = false;
        int pos = first;
        boolean closed = false;
        while (true) {
            int lineEnd = body.indexOf('\n', pos);
            if (lineEnd < 0) {
                break;
            }
            String boundaryLine = body.substring(pos, lineEnd);
            if (boundaryLine.endsWith("\r")) {
                crlf = true;
                boundaryLine = boundaryLine.substring(0, boundaryLine.length() - 1);
            } else {
                lf = true;
            }
            if (boundaryLine.startsWith(delim + "--")) {
                closed = true;
                if (!body.substring(lineEnd + 1).isBlank()) {
                    v.set("MULTIPART_DATA_AFTER", "1");
                }
                break;
            }
            int next = body.indexOf("\n" + delim, lineEnd);
            if (next < 0) {
                break;
            }
            // next == lineEnd: the boundary line is followed at once by another, an empty part.
            String part = next > lineEnd ? body.substring(lineEnd + 1, next) : "";
            if (part.endsWith("\r")) {
                part = part.substring(0, part.length() - 1);
            }
            part(part, v);
            pos = next + 1;
        }
        if (!closed) {
            int end = body.lastIndexOf(delim + "--");
            if (end < 0) {
                v.set("MULTIPART_UNMATCHED_BOUNDARY", "1");
            } else {
                closed = true;
            }
        }
        if (lf) {
            v.set("MULTIPART_LF_LINE", "1");
        }
        if (lf && crlf) {
            v.set("MULTIPART_CRLF_LF_LINES", "1");
        }
        strict(v);
        return null;
    }

    private static void part(String part, TxVariables v) {
        int sep = part.indexOf("\r\n\r\n");
        int skip = 4;
        if (sep < 0) {
            sep = part.indexOf("\n\n");
            skip = 2;
        }
        if (sep < 0) {
            v.set("MULTIPART_INVALID_PART", "1");
            return;
        }
        String headers = part.substring(0, sep);
        String content = part.substring(sep + skip);
        String name = null;
        String filename = null;
        String[] lines = headers.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String h = lines[i];
            if (h.startsWith(" ") || h.startsWith("\t")) {
                v.set("MULTIPART_HEADER_FOLDING", "1");
                continue;
            }
            int colon = h.indexOf(':');
            if (colon <= 0) {
                v.set("MULTIPART_INVALID_PART", "1");
                continue;
            }
            String hn = h.substring(0, colon).trim();
            String hv = h.substring(colon + 1).trim();
            if (hn.equalsIgnoreCase("content-disposition")) {
                String[] dp = disposition(hv, v);
                name = dp[0];
                filename = dp[1];
                v.collection("MULTIPART_PART_HEADERS").add(name == null ? "" : name, h);
            } else {
                v.collection("MULTIPART_PART_HEADERS").add(name == null ? "" : name, h);
            }
        }
        if (name == null) {
            v.set("MULTIPART_INVALID_PART", "1");
            return;
        }
        if (filename != null) {
            v.collection("FILES").add(name, filename);
            v.collection("FILES_NAMES").add(name, name);
            v.collection("FILES_SIZES").add(name, Integer.toString(content.length()));
        } else {
            v.collection("ARGS_POST").add(name, content);
        }
    }

    /** {@code form-data; name="a"; filename="b"} → {name, filename}; quoted values may hold {@code ;} and {@code \"}. */
    static String[] disposition(String hv, TxVariables v) {
        String name = null;
        String filename = null;
        int semi = hv.indexOf(';');
        String type = (semi < 0 ? hv : hv.substring(0, semi)).trim();
        if (!type.equalsIgnoreCase("form-data")) {
            v.set("MULTIPART_INVALID_PART", "1");
        }
        int i = semi < 0 ? hv.length() : semi + 1;
        int n = hv.length();
        while (i < n) {
            while (i < n && (hv.charAt(i) == ' ' || hv.charAt(i) == '\t' || hv.charAt(i) == ';')) {
                i++;
            }
            int ks = i;
            while (i < n && hv.charAt(i) != '=' && hv.charAt(i) != ';') {
                i++;
            }
            if (i >= n || hv.charAt(i) != '=') {
                if (ks < i) {
                    v.set("MULTIPART_INVALID_PART", "1");
                }
                continue;
            }
            String key = hv.substring(ks, i).trim().toLowerCase(Locale.ROOT);
            i++;
            while (i < n && hv.charAt(i) == ' ') {
                i++;
            }
            StringBuilder val = new StringBuilder();
            if (i < n && hv.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = hv.charAt(i);
                    if (c == '\\' && i + 1 < n && (hv.charAt(i + 1) == '"' || hv.charAt(i + 1) == '\\')) {
                        val.append(hv.charAt(i + 1));
                        i += 2;
                        continue;
                    }
                    if (c == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    val.append(c);
                    i++;
                }
                if (!closed) {
                    v.set("MULTIPART_INVALID_QUOTING", "1");
                }
                int after = i;
                while (after < n && hv.charAt(after) == ' ') {
                    after++;
                }
                if (after < n && hv.charAt(after) != ';') {
                    v.set("MULTIPART_MISSING_SEMICOLON", "1");
                }
            } else {
                while (i < n && hv.charAt(i) != ';') {
                    char c = hv.charAt(i);
                    if (c == '\'' || c == '\\' || c == '"') {
                        v.set("MULTIPART_INVALID_QUOTING", "1");
                    }
                    val.append(c);
                    i++;
                }
            }
            String value = val.toString().trim();
            if (key.equals("name")) {
                name = value;
            } else if (key.equals("filename") || key.equals("filename*")) {
                filename = value;
            }
        }
        return new String[] {name, filename};
    }

    private static void strict(TxVariables v) {
        boolean any = false;
        for (String f : new ArrayList<>(List.of("MULTIPART_BOUNDARY_QUOTED", "MULTIPART_BOUNDARY_WHITESPACE", "MULTIPART_DATA_BEFORE",
                "MULTIPART_DATA_AFTER", "MULTIPART_HEADER_FOLDING", "MULTIPART_LF_LINE", "MULTIPART_MISSING_SEMICOLON",
                "MULTIPART_INVALID_QUOTING", "MULTIPART_INVALID_PART", "MULTIPART_INVALID_HEADER_FOLDING",
                "MULTIPART_FILE_LIMIT_EXCEEDED"))) {
            any |= "1".equals(v.get(f));
        }
        v.set("MULTIPART_STRICT_ERROR", any ? "1" : "0");
    }
}
