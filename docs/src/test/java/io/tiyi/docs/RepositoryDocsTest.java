package io.tiyi.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What the README and the docs say about the repository itself stays true. */
class RepositoryDocsTest {
    static final Path ROOT = SnippetsTest.ROOT;

    @Test
    void theAgentUnitInTheDocsIsTheOneShippedInDist() throws IOException {
        String docs = Files.readString(ROOT.resolve("docs/upgrades.md"));
        Matcher m = Pattern.compile("```ini\n(# /etc/systemd/system/tiyi-agent.service\n.*?)```", Pattern.DOTALL).matcher(docs);
        assertThat(m.find()).as("docs/upgrades.md shows the agent's systemd unit").isTrue();
        assertThat(Files.readString(ROOT.resolve("dist/tiyi-agent.service"))).isEqualTo(m.group(1));
    }

    @Test
    void theReadmeLayoutNamesEveryModuleAndExample() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String layout = readme.substring(readme.indexOf("## Layout"), readme.indexOf("## Tests"));
        List<String> modules = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (m.find()) {
            modules.add(m.group(1));
        }
        assertThat(modules).isNotEmpty();
        for (String module : modules) {
            assertThat(layout).as("README layout names module %s", module).contains("`" + module + "`");
        }
        try (Stream<Path> s = Files.list(ROOT.resolve("examples"))) {
            for (Path example : s.filter(p -> Files.exists(p.resolve("pom.xml"))).toList()) {
                assertThat(layout).as("README layout names example %s", example.getFileName())
                        .contains("`" + example.getFileName() + "`");
            }
        }
    }

    @Test
    void theReadmesWorkingDirectoriesAreIgnoredByGit() throws IOException {
        String ignore = Files.readString(ROOT.resolve(".gitignore"));
        for (String entry : List.of("/data/", "/agent-1/", "/secondary/", "/restored/", "/releases/", "/backups/", "*.pem")) {
            assertThat(ignore.lines()).as(".gitignore").contains(entry);
        }
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (String dir : List.of("./agent-1", "./secondary", "./restored", "./releases", "./backups")) {
            assertThat(readme).as("the README still uses %s", dir).contains(dir);
        }
    }
}
