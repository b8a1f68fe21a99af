package io.barcodepush.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Set;

import org.junit.jupiter.api.Test;

class FileNamesTest {

    private static final String PATTERN = "'Barcodes_'yyyy-MM-dd-HH-mm'.csv'";

    @Test
    void patternUsesInterfaceZone() {
        Instant instant = Instant.parse("2026-12-04T10:15:00Z");

        assertThat(FileNames.format(PATTERN, ZoneId.of("UTC"), instant)).isEqualTo("Barcodes_2026-12-04-10-15.csv");
        assertThat(FileNames.format(PATTERN, ZoneId.of("Europe/Zurich"), instant))
                .isEqualTo("Barcodes_2026-12-04-11-15.csv");
    }

    @Test
    void repeatedAutumnHourGivesSameLocalName() {
        // 02:30 CEST and 02:30 CET on 2026-10-25 are an hour apart but share the local name.
        String summer = FileNames.format(PATTERN, ZoneId.of("Europe/Zurich"), Instant.parse("2026-10-25T00:30:00Z"));
        String winter = FileNames.format(PATTERN, ZoneId.of("Europe/Zurich"), Instant.parse("2026-10-25T01:30:00Z"));

        assertThat(summer).isEqualTo(winter).isEqualTo("Barcodes_2026-10-25-02-30.csv");
        assertThat(FileNames.firstFree(winter, Set.of(summer))).isEqualTo("Barcodes_2026-10-25-02-30_2.csv");
    }

    @Test
    void firstFreeAddsLowestSuffixBeforeExtension() {
        assertThat(FileNames.firstFree("a.csv", Set.of())).isEqualTo("a.csv");
        assertThat(FileNames.firstFree("a.csv", Set.of("a.csv"))).isEqualTo("a_2.csv");
        assertThat(FileNames.firstFree("a.csv", Set.of("a.csv", "a_2.csv", "a_4.csv"))).isEqualTo("a_3.csv");
        assertThat(FileNames.firstFree("archive.tar.gz", Set.of("archive.tar.gz"))).isEqualTo("archive.tar_2.gz");
        assertThat(FileNames.firstFree("noext", Set.of("noext"))).isEqualTo("noext_2");
    }

    @Test
    void likePatternEscapesWildcards() {
        assertThat(FileNames.likeVariants("B_1%.csv")).isEqualTo("B\\_1\\%%.csv");
    }
}
