package io.tiyi.waf.body;

import io.tiyi.waf.variables.TxVariables;
import java.util.List;
import java.util.Locale;

/**
 * {@code multipart/form-data}: fields become {@code ARGS_POST}, files {@code FILES} (field name to
 * file name), {@code FILES_NAMES}, {@code FILES_SIZES}, {@code FILES_TMP_CONTENT} (a file's bytes),
 * and every part header {@code MULTIPART_PART_HEADERS}. Deviations from RFC 7578 that attackers use to slip past
 * parsers set the {@code MULTIPART_*} flags and {@code MULTIPART_STRICT_ERROR}, which CRS checks.
 */
public final class Multipart {
    /** RFC 2046 section 5.1.1: 1 to 70 of these, the last not a space. */
    private static final String BCHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";
    private static final int MAX_BOUNDARY = 70;
    private static final List<String> FLAGS = List.of("MULTIPART_BOUNDARY_QUOTED", "MULTIPART_BOUNDARY_WHITESPACE", "MULTIPART_DATA_BEFORE",
            "MULTIPART_DATA_AFTER", "MULTIPART_HEADER_FOLDING", "MULTIPART_LF_LINE", "MULTIPART_MISSING_SEMICOLON",
            "MULTIPART_INVALID_QUOTING", "MULTIPART_INVALID_PART", "MULTIPART_INVALID_HEADER_FOLDING", "MULTIPART_FILE_LIMIT_EXCEEDED",
            "MULTIPART_UNMATCHED_BOUNDARY", "MULTIPART_CRLF_LF_LINES");
    /*
     * The flags that make MULTIPART_STRICT_ERROR, as in ModSecurity, with one exception: a quoted
     * boundary is valid RFC 2046 and common (.NET's HttpClient quotes it), so it keeps its own flag
     * but is not an error. A parse error (flag_error in ModSecurity) counts too.
     */
    private static final List<String> STRICT = List.of("MULTIPART_BOUNDARY_WHITESPACE", "MULTIPART_DATA_BEFORE", "MULTIPART_DATA_AFTER",
            "MULTIPART_HEADER_FOLDING", "MULTIPART_LF_LINE", "MULTIPART_MISSING_SEMICOLON", "MULTIPART_INVALID_QUOTING",
            "MULTIPART_INVALID_PART", "MULTIPART_INVALID_HEADER_FOLDING", "MULTIPART_FILE_LIMIT_EXCEEDED");

    private Multipart() {}

    /** What the Content-Type says the boundary is: the value to split on (or null) and what is wrong with it (or null). */
    record Boundary(String value, String error) {}

    /**
     * The boundary of a Content-Type; sets the boundary flags. Two {@code boundary} parameters are
     * an error, not a choice: parsers disagree on which one wins (ModSecurity and this parser
     * once took the first, most frameworks the last), and a body split on the other one hides
     * its parts. The last one is used for what inspection still happens.
     */
    static Boundary boundary(String contentType, TxVariables v) {
        List<ContentType.Parameter> all = ContentType.parse(contentType).all("boundary");
        if (all.isEmpty()) {
            return new Boundary(null, "multipart: no boundary in Content-Type");
        }
        ContentType.Parameter p = all.get(all.size() - 1);
        for (ContentType.Parameter b : all) {
            if (b.quoted()) {
                v.set("MULTIPART_BOUNDARY_QUOTED", "1");
            }
            if (b.spaced()) {
                v.set("MULTIPART_BOUNDARY_WHITESPACE", "1");
            }
            if (b.badQuoting()) {
                v.set("MULTIPART_INVALID_QUOTING", "1");
            }
        }
        String b = p.value();
        if (all.size() > 1) {
            return new Boundary(b.isEmpty() ? null : b, "multipart: " + all.size() + " boundary parameters in Content-Type");
        }
        if (b.isEmpty()) {
            return new Boundary(null, "multipart: empty boundary in Content-Type");
        }
        if (b.length() > MAX_BOUNDARY) {
            return new Boundary(b, "multipart: boundary of " + b.length() + " characters in Content-Type, more than " + MAX_BOUNDARY);
        }
        for (int i = 0; i < b.length(); i++) {
            if (BCHARS.indexOf(b.charAt(i)) < 0) {
                return new Boundary(b, "multipart: invalid character 0x" + Integer.toHexString(b.charAt(i)) + " in the boundary");
            }
        }
        if (b.endsWith(" ")) {
            return new Boundary(b, "multipart: the boundary ends with a space");
        }
        if (p.badQuoting()) {
            return new Boundary(b, "multipart: invalid quoting of the boundary in Content-Type");
        }
        return new Boundary(b, null);
    }

    /**
     * Parses a body: fields through {@code limit}, at most {@code maxNonFileBytes} bytes of it
     * that are not file contents (SecRequestBodyNoFilesLimit); returns an error message for a body
     * that cannot be read as its Content-Type says, else null. Parsing stops at the first error
     * but what was read stays inspected.
     */
    public static String parse(String contentType, String body, TxVariables v, ArgumentLimit limit, long maxNonFileBytes) {
        for (String flag : FLAGS) {
            v.set(flag, "0");
        }
        String error = body(contentType, body, v, limit, maxNonFileBytes);
        strict(v, error != null);
        return error;
    }

    private static String body(String contentType, String body, TxVariables v, ArgumentLimit limit, long maxNonFileBytes) {
        Boundary bd = boundary(contentType, v);
        if (bd.value() == null) {
            return bd.error();
        }
        String delim = "--" + bd.value();
        int first = body.indexOf(delim);
        if (first < 0) {
            v.set("MULTIPART_UNMATCHED_BOUNDARY", "1");
            return bd.error() != null ? bd.error() : "multipart: boundary not found in body";
        }
        if (!body.substring(0, first).isBlank()) {
            v.set("MULTIPART_DATA_BEFORE", "1");
        }
        boolean lf = false;
        boolean crlf = false;
        int pos = first;
        boolean closed = false;
        long nonFileBytes = 0;
        // A boundary error is reported, but the body is still split on the boundary used: the
        // parts read are inspected whether the error blocks the request or not.
        String error = bd.error();
        while (true) {
            int lineEnd = body.indexOf('\n', pos);
            String boundaryLine = lineEnd < 0 ? body.substring(pos) : body.substring(pos, lineEnd);
            if (boundaryLine.endsWith("\r")) {
                crlf = true;
                boundaryLine = boundaryLine.substring(0, boundaryLine.length() - 1);
            } else if (lineEnd >= 0) {
                lf = true;
            }
            if (boundaryLine.startsWith(delim + "--")) {
                closed = true;
                if (lineEnd >= 0 && !body.substring(lineEnd + 1).isBlank()) {
                    v.set("MULTIPART_DATA_AFTER", "1");
                }
                break;
            }
            if (lineEnd < 0) {
                break;
            }
            int next = body.indexOf("\n" + delim, lineEnd);
            // Without a closing delimiter the rest is the last part: inspected, and an error below.
            // next == lineEnd: the boundary line is followed at once by another, an empty part.
            String part = next < 0 ? body.substring(lineEnd + 1) : next > lineEnd ? body.substring(lineEnd + 1, next) : "";
            if (part.endsWith("\r")) {
                part = part.substring(0, part.length() - 1);
            }
            int fileBytes = part(part, v, limit);
            if (fileBytes < 0) {
                return limit.message();
            }
            nonFileBytes += part.length() - fileBytes;
            if (nonFileBytes > maxNonFileBytes) {
                return "multipart: more than " + maxNonFileBytes + " bytes besides files (SecRequestBodyNoFilesLimit " + maxNonFileBytes
                        + "); the rest of the body was not parsed";
            }
            if (next < 0) {
                break;
            }
            pos = next + 1;
        }
        if (lf) {
            v.set("MULTIPART_LF_LINE", "1");
        }
        if (lf && crlf) {
            v.set("MULTIPART_CRLF_LF_LINES", "1");
        }
        if (error == null && !closed) {
            v.set("MULTIPART_UNMATCHED_BOUNDARY", "1");
            error = "multipart: final boundary missing";
        }
        return error;
    }

    /** Reads one part; returns the bytes of file contents in it, or -1 when the argument limit refused its field. */
    private static int part(String part, TxVariables v, ArgumentLimit limit) {
        int sep = part.indexOf("\r\n\r\n");
        int skip = 4;
        if (sep < 0) {
            sep = part.indexOf("\n\n");
            skip = 2;
        }
        if (sep < 0) {
            v.set("MULTIPART_INVALID_PART", "1");
            return 0;
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
            return 0;
        }
        if (filename != null) {
            v.collection("FILES").add(name, filename);
            v.collection("FILES_NAMES").add(name, name);
            v.collection("FILES_SIZES").add(name, Integer.toString(content.length()));
            // The bytes as sent (as ModSecurity's FILES_TMP_CONTENT): rules look inside uploads
            // for server-side code, and the string exists already, so keeping it costs no copy.
            v.collection("FILES_TMP_CONTENT").add(name, content);
            return content.length();
        }
        return limit.add(v.collection("ARGS_POST"), name, content) ? 0 : -1;
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

    private static void strict(TxVariables v, boolean error) {
        boolean any = error;
        for (String f : STRICT) {
            any |= "1".equals(v.get(f));
        }
        v.set("MULTIPART_STRICT_ERROR", any ? "1" : "0");
    }
}
