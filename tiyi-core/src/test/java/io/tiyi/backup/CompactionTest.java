package io.tiyi.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiyi.store.AuditEvent;
import io.tiyi.store.Blobs;
import io.tiyi.store.LogEntry;
import io.tiyi.store.MutationPipeline;
import io.tiyi.store.StateStore;
import io.tiyi.store.TestStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactionTest {
    @TempDir
    Path tmp;

    StateStore store;
    MutationPipeline pipeline;
    GenerationWriter writer;
    Generation generation;

    @BeforeEach
    void open() throws IOException {
        store = TestStores.primary(tmp.resolve("state"));
        pipeline = TestStores.pipeline(store);
        Path streamDir = Files.createDirectory(tmp.resolve("stream"));
        writer = GenerationWriter.create(streamDir, "test-node", 1, System.currentTimeMillis());
        writer.writeInfo(writer.snapshot(store.dbFile()).seq() + 1);
        generation = writer.generation();
        for (int i = 0; i < 30; i++) {
            pipeline.apply("user:t", new AuditEvent("test.event", "item:" + i, Map.of()));
        }
        // Six segments of five, as the stream ships them under steady commits.
        for (int first = 1; first <= 30; first += 5) {
            writeSegment(first, first + 4);
        }
    }

    @AfterEach
    void close() {
        pipeline.close();
        store.close();
    }

    void writeSegment(long first, long last) throws IOException {
        writer.writeSegment(pipeline.entriesAfter(first - 1, (int) (last - first + 1)), new Blobs(store));
    }

    List<String> names() throws IOException {
        List<String> out = new ArrayList<>();
        for (Generation.Segment s : generation.segments()) {
            out.add(s.firstSeq() + "-" + s.lastSeq());
        }
        return out;
    }

    List<LogEntry> logged() throws IOException {
        List<LogEntry> out = new ArrayList<>();
        for (Generation.Segment s : generation.segments()) {
            out.addAll(s.read());
        }
        return out;
    }

    @Test
    void mergesTheSegmentsAfterTheLastMergeIntoChunksOfAtMostTheLimit() throws IOException {
        assertThat(Compaction.run(generation, 0, 15)).isEqualTo(30);
        assertThat(names()).containsExactly("1-15", "16-30");
        assertThat(logged()).isEqualTo(pipeline.entriesAfter(0, 100));

        pipeline.apply("user:t", new AuditEvent("test.event", "late", Map.of()));
        writeSegment(31, 31);
        assertThat(Compaction.run(generation, 30, 15)).as("a single new segment is left as it is").isEqualTo(31);
        assertThat(names()).containsExactly("1-15", "16-30", "31-31");
    }

    @Test
    void aMergeThatStoppedBeforeDeletingItsPartsStillRestoresAndIsTidiedNextTime() throws IOException {
        Compaction.run(generation, 0, 100);
        writeSegment(1, 5);
        writeSegment(6, 10);
        assertThat(names()).containsExactly("1-30", "1-5", "6-10");

        StreamRestore.Result r = StreamRestore.restore(tmp.resolve("stream"), tmp.resolve("restored"), Optional.empty(), false, io.tiyi.store.TestStores.KEK, false);
        assertThat(r.lastSeq()).isEqualTo(30);

        assertThat(Compaction.run(generation, 0, 100)).isEqualTo(30);
        assertThat(names()).containsExactly("1-30");
    }
}
