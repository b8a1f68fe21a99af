package io.barcodepush.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The counts that the fault tests assert, computed from hand-made received files.
 */
class DeliveriesTest {

    private static final String HEADER = "BAR_CODE;TICKET_STATE;FILE_NUMBER\n";

    private static Deliveries.ReceivedFile file(String messageId, String name, String rows) {
        byte[] content = (HEADER + rows).getBytes(StandardCharsets.UTF_8);
        return new Deliveries.ReceivedFile(messageId, name, content, Deliveries.barcodes(content));
    }

    @Test
    void barcodesReadsQuotedFirstField() {
        byte[] csv = (HEADER + "B-1;PRINTED;F1\n\"B;\"\"2\";PRINTED;F2\n0007;;\n").getBytes(StandardCharsets.UTF_8);

        assertThat(Deliveries.barcodes(csv)).containsExactly("B-1", "B;\"2", "0007");
    }

    @Test
    void identicalResendAllowed() {
        Deliveries.ReceivedFile first = file("<1@x>", "a.csv", "B-1;PRINTED;F1\nB-2;PRINTED;F2\n");
        Deliveries.ReceivedFile second = file("<2@x>", "b.csv", "B-3;PRINTED;F3\n");

        Deliveries.Counts counts = Deliveries.count(List.of("B-1", "B-2", "B-3", "B-4"),
                List.of(first, first, second));

        assertThat(counts.created()).isEqualTo(4);
        assertThat(counts.delivered()).isEqualTo(3);
        assertThat(counts.lost()).isEqualTo(1);
        assertThat(counts.duplicated()).isEqualTo(2);
        assertThat(counts.identicalResends()).isEqualTo(1);
        assertThat(counts.changedResends()).isZero();
        assertThat(counts.duplicatedOutsideResends()).isZero();
        assertThat(counts.unexpected()).isZero();
        assertThat(counts.describe()).contains("lost: [B-4]");
    }

    @Test
    void barcodeInNewMailUnexplained() {
        Deliveries.Counts counts = Deliveries.count(List.of("B-1", "B-2"), List.of(
                file("<1@x>", "a.csv", "B-1;PRINTED;F1\n"),
                file("<2@x>", "b.csv", "B-1;PRINTED;F1\nB-2;PRINTED;F2\n")));

        assertThat(counts.duplicated()).isEqualTo(1);
        assertThat(counts.identicalResends()).isZero();
        assertThat(counts.duplicatedOutsideResends()).isEqualTo(1);
    }

    @Test
    void resendWithChangedAttachment() {
        Deliveries.Counts counts = Deliveries.count(List.of("B-1", "B-2"), List.of(
                file("<1@x>", "a.csv", "B-1;PRINTED;F1\n"),
                file("<1@x>", "a.csv", "B-1;CANCELLED;F1\n"),
                file("<1@x>", "other.csv", "B-1;PRINTED;F1\n")));

        assertThat(counts.identicalResends()).isZero();
        assertThat(counts.changedResends()).isEqualTo(2);
        assertThat(counts.duplicatedOutsideResends()).isZero();
    }

    @Test
    void repeatedAndUnmappedBarcodes() {
        Deliveries.Counts counts = Deliveries.count(List.of("B-1"), List.of(
                file("<1@x>", "a.csv", "B-1;PRINTED;F1\nB-1;PRINTED;F1\nB-9;PRINTED;F9\n")));

        assertThat(counts.duplicated()).isEqualTo(1);
        assertThat(counts.duplicatedOutsideResends()).isEqualTo(1);
        assertThat(counts.unexpected()).isEqualTo(1);
    }
}
