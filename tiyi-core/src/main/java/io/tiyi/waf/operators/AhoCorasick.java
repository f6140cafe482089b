package io.tiyi.waf.operators;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Case-insensitive multi-phrase search (Aho-Corasick): one pass over the input finds whether any
 * phrase occurs, whatever the number of phrases. Built once; immutable afterwards.
 */
final class AhoCorasick {
    private static final class Node {
        final Map<Character, Node> next = new HashMap<>(4);
        Node fail;
        String out;
    }

    private final Node root = new Node();

    AhoCorasick(Collection<String> phrases) {
        for (String p : phrases) {
            if (p.isEmpty()) {
                continue;
            }
            Node n = root;
            for (int i = 0; i < p.length(); i++) {
                n = n.next.computeIfAbsent(lower(p.charAt(i)), c -> new Node());
            }
            n.out = p;
        }
        ArrayDeque<Node> q = new ArrayDeque<>();
        for (Node c : root.next.values()) {
            c.fail = root;
            q.add(c);
        }
        while (!q.isEmpty()) {
            Node n = q.poll();
            for (Map.Entry<Character, Node> e : n.next.entrySet()) {
                Node child = e.getValue();
                Node f = n.fail;
                while (f != null && !f.next.containsKey(e.getKey())) {
                    f = f.fail;
                }
                child.fail = f == null ? root : f.next.get(e.getKey());
                if (child.out == null && child.fail.out != null) {
                    child.out = child.fail.out;
                }
                q.add(child);
            }
        }
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    /** The first phrase found in {@code s}, or null. */
    String find(String s) {
        Node n = root;
        for (int i = 0; i < s.length(); i++) {
            char c = lower(s.charAt(i));
            while (n != root && !n.next.containsKey(c)) {
                n = n.fail;
            }
            Node nx = n.next.get(c);
            n = nx == null ? root : nx;
            if (n.out != null) {
                return n.out;
            }
        }
        return null;
    }
}
