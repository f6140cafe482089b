package io.tiyi.waf.injection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One libinjection test vector file: {@code --TEST--} name, {@code --INPUT--} input,
 * {@code --EXPECTED--} result, read the way libinjection's test driver reads it.
 *
 * @param name the test name
 * @param input the input, trailing whitespace cut
 * @param expected the expected output, trailing whitespace cut
 */
record LibinjectionVector(String name, String input, String expected) {
    /** As testdriver.c: bytes, not text; a section marker is a whole line, in order; other lines go to the section. */
    static LibinjectionVector read(Path file) throws IOException {
        String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        StringBuilder[] sections = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        String[] markers = {"--TEST--\n", "--INPUT--\n", "--EXPECTED--\n"};
        int section = -1;
        int at = 0;
        while (at < content.length()) {
            int newline = content.indexOf('\n', at);
            int end = newline < 0 ? content.length() : newline + 1;
            String line = content.substring(at, end);
            at = end;
            if (section + 1 < markers.length && line.equals(markers[section + 1])) {
                section++;
            } else if (section >= 0) {
                sections[section].append(line);
            } else {
                throw new IOException(file + ": text before --TEST--");
            }
        }
        if (section != 2) {
            throw new IOException(file + ": missing sections");
        }
        return new LibinjectionVector(rtrim(sections[0].toString()), rtrim(sections[1].toString()), rtrim(sections[2].toString()));
    }

    /** The test driver's {@code modp_rtrim}: cuts trailing spaces, tabs, CRs and LFs. */
    static String rtrim(String s) {
        int end = s.length();
        while (end > 0) {
            char c = s.charAt(end - 1);
            if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
                break;
            }
            end--;
        }
        return s.substring(0, end);
    }
}
