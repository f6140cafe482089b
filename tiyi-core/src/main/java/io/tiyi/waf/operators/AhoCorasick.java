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
        /** The ids of every phrase that ends here, this node's own and those of its fail chain; null when none. */
        int[] ids;
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
        int id = 0;
        for (String p : phrases) {
            int own = id++;
            if (p.isEmpty()) {
                continue;
            }
            Node n = root;
            for (int i = 0; i < p.length(); i++) {
                n = n.next.computeIfAbsent(lower(p.charAt(i)), c -> new Node());
            }
            n.out = p;
            n.ids = n.ids == null ? new int[] {own} : append(n.ids, own);
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
                // Breadth first, the fail node is shallower and already holds its own chain's ids.
                if (child.fail.ids != null) {
                    int[] more = child.fail.ids;
                    child.ids = child.ids == null ? more : concat(child.ids, more);
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

    private static int[] append(int[] a, int x) {
        int[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = x;
        return b;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    /**
     * Reports every phrase that occurs in {@code s} to {@code found}, by its position in the
     * collection the automaton was built from; a phrase that occurs more than once may be reported
     * more than once.
     */
    void findAll(String s, java.util.function.IntConsumer found) {
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
            int[] ids = n.ids;
            if (ids != null) {
                for (int id : ids) {
                    found.accept(id);
                }
            }
        }
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
