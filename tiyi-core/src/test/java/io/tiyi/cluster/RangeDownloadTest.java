package io.tiyi.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiyi.TiyiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A download by range that is cut off resumes where it stopped, and counts only once size and hash match. */
class RangeDownloadTest {
    @TempDir
    Path dir;

    private static final byte[] CONTENT = new byte[RangeDownload.RANGE * 3 + 4321];

    static {
        new Random(7).nextBytes(CONTENT);
    }

    private final List<Long> asked = new ArrayList<>();

    private byte[] serve(long offset, int length) {
        asked.add(offset);
        int from = (int) Math.min(offset, CONTENT.length);
        return Arrays.copyOfRange(CONTENT, from, (int) Math.min(CONTENT.length, offset + length));
    }

    @Test
    void aCutTransferResumesFromThePartialFileWithoutStartingOver() throws Exception {
        Path part = dir.resolve("state.db.part");
        String sha = io.tiyi.crypto.Sha256.hex(CONTENT);
        assertThatThrownBy(() -> RangeDownload.complete(part, CONTENT.length, sha, (offset, length) -> {
            if (offset >= 2L * RangeDownload.RANGE) {
                throw new TiyiException("connection reset");
            }
            return serve(offset, length);
        })).hasMessageContaining("connection reset");
        assertThat(Files.size(part)).isEqualTo(2L * RangeDownload.RANGE);

        asked.clear();
        long fetched = RangeDownload.complete(part, CONTENT.length, sha, this::serve);

        assertThat(asked).as("the second attempt starts at the cut").first().isEqualTo(2L * RangeDownload.RANGE);
        assertThat(fetched).isEqualTo(CONTENT.length - 2L * RangeDownload.RANGE);
        assertThat(Files.readAllBytes(part)).isEqualTo(CONTENT);
    }

    @Test
    void contentOfUnknownSizeEndsAtTheFirstShortRange() throws Exception {
        Path part = dir.resolve("blob.part");
        long fetched = RangeDownload.complete(part, -1, io.tiyi.crypto.Sha256.hex(CONTENT), this::serve);
        assertThat(fetched).isEqualTo(CONTENT.length);
        assertThat(Files.readAllBytes(part)).isEqualTo(CONTENT);
    }

    @Test
    void aPartialFileThatDoesNotMatchIsDeletedSoTheNextAttemptStartsClean() throws Exception {
        Path part = dir.resolve("state.db.part");
        Files.write(part, new byte[] {1, 2, 3});
        String sha = io.tiyi.crypto.Sha256.hex(CONTENT);
        assertThatThrownBy(() -> RangeDownload.complete(part, CONTENT.length, sha, this::serve))
                .hasMessageContaining("expected " + CONTENT.length + " bytes with SHA-256 " + sha).hasMessageContaining("starts over");
        assertThat(part).doesNotExist();

        RangeDownload.complete(part, CONTENT.length, sha, this::serve);
        assertThat(Files.readAllBytes(part)).isEqualTo(CONTENT);
    }
}
