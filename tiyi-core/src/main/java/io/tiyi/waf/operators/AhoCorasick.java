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
        /** Only while building; {@link #keys} and {@link #kids} replace it for searching. */
        Map<Character, Node> next = new HashMap<>(4);
        Node fail;
        String out;
        /** Transitions as sorted arrays: a search steps through them without boxing or hashing. */
        char[] keys;
        Node[] kids;

        Node child(char c) {
            char[] k = keys;
            if (k.length <= 8) {
                for (int i = 0; i < k.length; i++) {
                    if (k[i] == c) {
                        return kids[i];
                    }
                }
                return null;
            }
            int i = java.util.Arrays.binarySearch(k, c);
            return i >= 0 ? kids[i] : null;
        }
    }

    private final Node root = new Node();
    /** The root's transitions for ASCII, the search's most frequent step. */
    private final Node[] rootAscii = new Node[128];

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
        freeze();
    }

    private void freeze() {
        ArrayDeque<Node> q = new ArrayDeque<>();
        q.add(root);
        while (!q.isEmpty()) {
            Node n = q.poll();
            char[] k = new char[n.next.size()];
            int i = 0;
            for (char c : n.next.keySet()) {
                k[i++] = c;
            }
            java.util.Arrays.sort(k);
            Node[] kids = new Node[k.length];
            for (i = 0; i < k.length; i++) {
                kids[i] = n.next.get(k[i]);
                q.add(kids[i]);
            }
            n.keys = k;
            n.kids = kids;
            n.next = null;
        }
        for (int c = 0; c < 128; c++) {
            rootAscii[c] = root.child((char) c);
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
            Node nx;
            while (true) {
                if (n == root) {
                    nx = c < 128 ? rootAscii[c] : root.child(c);
                    break;
                }
                nx = n.child(c);
                if (nx != null) {
                    break;
                }
                n = n.fail;
            }
            n = nx == null ? root : nx;
            if (n.out != null) {
                return n.out;
            }
        }
        return null;
    }
}
