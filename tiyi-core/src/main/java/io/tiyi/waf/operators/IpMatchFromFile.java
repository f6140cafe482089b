package io.tiyi.waf.operators;

import io.tiyi.waf.seclang.RuleFiles;
import io.tiyi.waf.seclang.SecLangException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @ipMatchFromFile file} (also {@code @ipMatchF}): {@link IpMatch} with the addresses and
 * CIDR ranges read from a file, one per line, {@code #} comments and blank lines skipped; a
 * relative path is taken from the rule file's directory. Which files may be read is the rules'
 * {@link RuleFiles}. A line that is not an address is an error naming the file and the line; the
 * line itself is quoted only when the file is trusted.
 *
 * <pre>SecRule REMOTE_ADDR "@ipMatchFromFile blocked-ips.data" "id:4,deny"</pre>
 */
final class IpMatchFromFile implements Operator {
    private final IpMatch ips;

    IpMatchFromFile(String argument, RuleFiles files, String where) {
        String name = argument.strip();
        java.nio.file.Path p = files.file(name, "@ipMatchFromFile", where);
        String[] lines = PmFromFile.lines(files, p, "@ipMatchFromFile", where);
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            try {
                new IpMatch(t);
            } catch (OperatorException e) {
                if (files.restricted()) {
                    throw SecLangException.withoutText(where, "@ipMatchFromFile: " + files.label(p) + " line " + (i + 1)
                            + " is not an IP address or CIDR range");
                }
                throw new OperatorException("@ipMatchFromFile: " + p + " line " + (i + 1) + ": " + e.getMessage());
            }
            entries.add(t);
        }
        this.ips = new IpMatch(String.join(",", entries));
    }

    @Override
    public boolean evaluate(MatchContext ctx, String value) {
        return ips.evaluate(ctx, value);
    }
}
