package io.tiyi.cli;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** A node of the {@code tiyi} command tree: a group of commands, one command, or a command handled before the tree. */
sealed interface CommandNode permits CommandNode.Group, CommandNode.Leaf, CommandNode.Builtin {
    /** The word that names it on the command line. */
    String name();

    /** A command, made afresh for each parse (JCommander fills its fields). */
    record Leaf(String name, Supplier<CliCommand> factory) implements CommandNode {}

    /** A noun with verbs (or further groups) below it; {@code description} is what its parent's listing shows. */
    record Group(String name, String description, List<CommandNode> children) implements CommandNode {
        public Group {
            children = List.copyOf(children);
        }

        /** The child named {@code name}, if any. */
        Optional<CommandNode> child(String name) {
            return children.stream().filter(c -> c.name().equals(name)).findFirst();
        }

        /** Its verbs as the overview lists them: {@code status, settings list|get|update, resume-writes}. */
        String verbs() {
            return children.stream()
                    .map(c -> c instanceof Group g ? g.name() + " " + g.children().stream().map(CommandNode::name).collect(Collectors.joining("|"))
                            : c.name())
                    .collect(Collectors.joining(", "));
        }
    }

    /** A command {@link TiyiCli} runs itself before the tree is parsed: a daemon's launcher, {@code version}, {@code help}. */
    record Builtin(String name) implements CommandNode {}

    static Leaf leaf(String name, Supplier<CliCommand> factory) {
        return new Leaf(name, factory);
    }

    static Group group(String name, String description, CommandNode... children) {
        return new Group(name, description, List.of(children));
    }
}
