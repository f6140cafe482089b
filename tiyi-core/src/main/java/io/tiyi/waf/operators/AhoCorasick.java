package io.tiyi.waf.operators;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
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

    /** Past this many table cells (states times character classes) the search walks the trie instead. */
    static final int MAX_CELLS = 1 << 17;

    /** The trie; dropped (null) once the table form is built, which replaces it. */
    private Node root = new Node();
    /** The root's transitions for ASCII, the search's most frequent step; null with the table form. */
    private Node[] rootAscii = new Node[128];

    /*
     * The same automaton as a table, built when it is small enough: one lookup per input
     * character, with the failure links already followed, instead of a walk through child arrays
     * and failure links. Characters are folded into classes (every character no phrase contains
     * is class 0), states are numbered so that those with a phrase to report come last, and a
     * search ends at the first such state, as the trie walk does.
     */
    private char[] delta;
    private int classes;
    private final byte[] asciiClass = new byte[128];
    /** The non-ASCII characters of the phrases, sorted, and their classes. */
    private char[] wideChars;
    private byte[] wideClass;
    private int firstOutput;
    private String[] outputs;

    AhoCorasick(Collection<String> phrases) {
        this(phrases, MAX_CELLS);
    }

    /** @param maxCells the largest table to build; 0 keeps the trie whatever its size (for tests) */
    AhoCorasick(Collection<String> phrases, int maxCells) {
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
        freeze(maxCells);
    }

    private void freeze(int maxCells) {
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
        table(maxCells);
    }

    /** Builds the table form and drops the trie, unless the table would pass {@code maxCells} or need more than 127 classes or 65,535 states. */
    private void table(int maxCells) {
        java.util.TreeSet<Character> alphabet = new java.util.TreeSet<>();
        List<Node> order = new ArrayList<>();
        List<Node> reporting = new ArrayList<>();
        ArrayDeque<Node> q = new ArrayDeque<>();
        q.add(root);
        while (!q.isEmpty()) {
            Node n = q.poll();
            (n.out == null ? order : reporting).add(n);
            for (int i = 0; i < n.keys.length; i++) {
                alphabet.add(n.keys[i]);
                q.add(n.kids[i]);
            }
        }
        int k = alphabet.size() + 1;
        int states = order.size() + reporting.size();
        if (k > 127 || states > 65_535 || (long) states * k > maxCells) {
            return;
        }
        java.util.Map<Character, Integer> cls = new java.util.HashMap<>();
        List<Character> wide = new ArrayList<>();
        for (char c : alphabet) {
            int id = cls.size() + 1;
            cls.put(c, id);
            if (c < 128) {
                asciiClass[c] = (byte) id;
                if (c >= 'a' && c <= 'z') {
                    asciiClass[c - 32] = (byte) id;
                }
            } else {
                wide.add(c);
            }
        }
        if (!wide.isEmpty()) {
            wideChars = new char[wide.size()];
            wideClass = new byte[wide.size()];
            for (int i = 0; i < wide.size(); i++) {
                wideChars[i] = wide.get(i);
                wideClass[i] = (byte) (int) cls.get(wide.get(i));
            }
        }
        firstOutput = order.size();
        order.addAll(reporting);
        java.util.IdentityHashMap<Node, Integer> id = new java.util.IdentityHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            id.put(order.get(i), i);
        }
        char[] d = new char[states * k];
        outputs = new String[reporting.size()];
        // Breadth-first, so a state's failure target already has its row when the state is filled.
        ArrayDeque<Node> bfs = new ArrayDeque<>();
        bfs.add(root);
        while (!bfs.isEmpty()) {
            Node n = bfs.poll();
            int s = id.get(n);
            if (s >= firstOutput) {
                outputs[s - firstOutput] = n.out;
            }
            int fail = n == root ? -1 : id.get(n.fail);
            for (int c = 0; c < k; c++) {
                d[s * k + c] = fail < 0 ? 0 : d[fail * k + c];
            }
            for (int i = 0; i < n.keys.length; i++) {
                d[s * k + cls.get(n.keys[i])] = (char) (int) id.get(n.kids[i]);
                bfs.add(n.kids[i]);
            }
        }
        classes = k;
        delta = d;
        root = null;
        rootAscii = null;
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    /** The first phrase found in {@code s}, or null. */
    String find(String s) {
        char[] d = delta;
        if (d == null) {
            return walk(s);
        }
        int k = classes;
        int first = firstOutput;
        byte[] ascii = asciiClass;
        int st = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            st = d[st * k + (c < 128 ? ascii[c] : wideClassOf(c))];
            if (st >= first) {
                return outputs[st - first];
            }
        }
        return null;
    }

    private int wideClassOf(char c) {
        char[] w = wideChars;
        if (w == null) {
            return 0;
        }
        int i = java.util.Arrays.binarySearch(w, c);
        return i >= 0 ? wideClass[i] : 0;
    }

    /** Whether the search uses the table (false for automata too large for one). */
    boolean tabled() {
        return delta != null;
    }

    /** The search through the trie and its failure links, for automata too large for a table. */
    private String walk(String s) {
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
