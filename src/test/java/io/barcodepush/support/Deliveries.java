package io.barcodepush.support;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.assertj.core.api.Assertions;

/**
 * Parses the export mails that a test SMTP server received and counts, per barcode, what arrived.
 *
 * <p>A barcode that arrived more than once is a duplicate. The only allowed duplicate is an identical re-send of a
 * file: a later mail with the same Message-ID, attachment name and attachment bytes as an earlier one.
 */
public final class Deliveries {

    private static final String CSV_HEADER_START = "BAR_CODE";
    /** Maximum barcodes listed per problem in {@link Counts#describe()}. */
    private static final int MAX_LISTED_BARCODES = 20;

    private Deliveries() {
    }

    /**
     * One received export mail.
     *
     * @param barcodes the BAR_CODE values of the attachment's data rows, in file order
     */
    public record ReceivedFile(String messageId, String fileName, byte[] attachment, List<String> barcodes) {
    }

    /** Parses mails in the order the server received them. */
    public static List<ReceivedFile> parse(MimeMessage... messages) throws Exception {
        List<ReceivedFile> files = new ArrayList<>();
        for (MimeMessage message : messages) {
            files.add(parse(message));
        }
        return files;
    }

    public static ReceivedFile parse(MimeMessage message) throws Exception {
        byte[] attachment = Mails.attachmentBytes(message);
        return new ReceivedFile(message.getMessageID(), Mails.attachmentName(message), attachment,
                barcodes(attachment));
    }

    /** Parses the DATA of each message that {@link ScriptedSmtpServer} accepted, in the order it accepted them. */
    public static List<ReceivedFile> parseAccepted(List<ScriptedSmtpServer.Accepted> accepted) throws Exception {
        Session session = Session.getInstance(new Properties());
        List<ReceivedFile> files = new ArrayList<>();
        for (ScriptedSmtpServer.Accepted message : accepted) {
            byte[] raw = message.data().getBytes(StandardCharsets.UTF_8);
            files.add(parse(new MimeMessage(session, new ByteArrayInputStream(raw))));
        }
        return files;
    }

    /**
     * Returns the first field of every data row of a CSV export file (separator {@code ;}, LF line ends, a header
     * line, RFC 4180 quotes).
     */
    static List<String> barcodes(byte[] csv) {
        String text = new String(csv, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (lines.isEmpty() || !lines.get(0).startsWith(CSV_HEADER_START)) {
            throw new AssertionError("Attachment does not start with the header line " + CSV_HEADER_START
                    + ";...: " + text.substring(0, Math.min(text.length(), 200)));
        }
        if (lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        List<String> barcodes = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            barcodes.add(firstField(line));
        }
        return barcodes;
    }

    private static String firstField(String line) {
        if (!line.startsWith("\"")) {
            int separator = line.indexOf(';');
            return separator < 0 ? line : line.substring(0, separator);
        }
        StringBuilder value = new StringBuilder();
        for (int i = 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c != '"') {
                value.append(c);
            } else if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                value.append('"');
                i++;
            } else {
                return value.toString();
            }
        }
        throw new AssertionError("Unterminated quoted barcode in line: " + line);
    }

    /**
     * Counts what arrived against the barcodes of the tickets that were created and mapped to the interfaces.
     *
     * @param created  barcodes that must arrive, each once
     * @param received the mails in the order the server received them
     */
    public static Counts count(Collection<String> created, List<ReceivedFile> received) {
        Set<String> expected = new LinkedHashSet<>(created);
        Map<String, Integer> arrivals = new HashMap<>();
        Map<String, Set<String>> messageIdsByBarcode = new HashMap<>();
        SortedSet<String> repeatedWithinOneFile = new TreeSet<>();
        Map<String, ReceivedFile> firstByMessageId = new HashMap<>();
        int identicalResends = 0;
        int changedResends = 0;

        for (ReceivedFile file : received) {
            ReceivedFile first = firstByMessageId.putIfAbsent(file.messageId(), file);
            if (first != null) {
                if (first.fileName().equals(file.fileName()) && Arrays.equals(first.attachment(), file.attachment())) {
                    identicalResends++;
                } else {
                    changedResends++;
                }
            }
            Set<String> inThisFile = new HashSet<>();
            for (String barcode : file.barcodes()) {
                arrivals.merge(barcode, 1, Integer::sum);
                messageIdsByBarcode.computeIfAbsent(barcode, b -> new HashSet<>()).add(file.messageId());
                if (!inThisFile.add(barcode)) {
                    repeatedWithinOneFile.add(barcode);
                }
            }
        }

        SortedSet<String> lost = new TreeSet<>();
        for (String barcode : expected) {
            if (!arrivals.containsKey(barcode)) {
                lost.add(barcode);
            }
        }
        SortedSet<String> unexpected = new TreeSet<>();
        SortedSet<String> duplicated = new TreeSet<>();
        SortedSet<String> duplicatedOutsideResends = new TreeSet<>(repeatedWithinOneFile);
        for (Map.Entry<String, Integer> arrival : arrivals.entrySet()) {
            String barcode = arrival.getKey();
            if (!expected.contains(barcode)) {
                unexpected.add(barcode);
            }
            if (arrival.getValue() > 1) {
                duplicated.add(barcode);
            }
            if (messageIdsByBarcode.get(barcode).size() > 1) {
                duplicatedOutsideResends.add(barcode);
            }
        }
        return new Counts(expected.size(), expected.size() - lost.size(), received.size(),
                firstByMessageId.size(), identicalResends, changedResends, lost, duplicated.size(),
                duplicatedOutsideResends, unexpected);
    }

    /** What arrived, counted per barcode and per mail. */
    public static final class Counts {

        private final int created;
        private final int delivered;
        private final int mails;
        private final int distinctMessageIds;
        private final int identicalResends;
        private final int changedResends;
        private final SortedSet<String> lostBarcodes;
        private final int duplicated;
        private final SortedSet<String> duplicatedOutsideResends;
        private final SortedSet<String> unexpectedBarcodes;

        private Counts(int created, int delivered, int mails, int distinctMessageIds, int identicalResends,
                int changedResends, SortedSet<String> lostBarcodes, int duplicated,
                SortedSet<String> duplicatedOutsideResends, SortedSet<String> unexpectedBarcodes) {
            this.created = created;
            this.delivered = delivered;
            this.mails = mails;
            this.distinctMessageIds = distinctMessageIds;
            this.identicalResends = identicalResends;
            this.changedResends = changedResends;
            this.lostBarcodes = lostBarcodes;
            this.duplicated = duplicated;
            this.duplicatedOutsideResends = duplicatedOutsideResends;
            this.unexpectedBarcodes = unexpectedBarcodes;
        }

        /** Tickets created and mapped to an interface, so they must arrive. */
        public int created() {
            return created;
        }

        /** Created tickets whose barcode arrived at least once. */
        public int delivered() {
            return delivered;
        }

        /** Created tickets whose barcode never arrived. */
        public int lost() {
            return lostBarcodes.size();
        }

        /** Barcodes that arrived more than once, for whatever reason. */
        public int duplicated() {
            return duplicated;
        }

        /** Mails that repeat an earlier mail's Message-ID, attachment name and attachment bytes. */
        public int identicalResends() {
            return identicalResends;
        }

        /** Mails that repeat an earlier mail's Message-ID with another attachment name or other bytes. */
        public int changedResends() {
            return changedResends;
        }

        /**
         * Barcodes that arrived in mails with different Message-IDs, or twice in one attachment: duplicates that no
         * identical re-send explains.
         */
        public int duplicatedOutsideResends() {
            return duplicatedOutsideResends.size();
        }

        /** Barcodes that arrived but belong to no created and mapped ticket. */
        public int unexpected() {
            return unexpectedBarcodes.size();
        }

        public int mails() {
            return mails;
        }

        public int distinctMessageIds() {
            return distinctMessageIds;
        }

        /** Returns one line with every count, for logs and the reliability record. */
        public String summary() {
            return "created=" + created + " delivered=" + delivered + " lost=" + lost() + " duplicated=" + duplicated
                    + " identicalResends=" + identicalResends + " changedResends=" + changedResends
                    + " duplicatedOutsideResends=" + duplicatedOutsideResends() + " unexpected=" + unexpected()
                    + " mails=" + mails + " distinctMessageIds=" + distinctMessageIds;
        }

        /** Returns the summary with the first barcodes of each problem, for assertion messages. */
        public String describe() {
            return summary() + "\n  lost: " + sample(lostBarcodes) + "\n  duplicated outside re-sends: "
                    + sample(duplicatedOutsideResends) + "\n  unexpected: " + sample(unexpectedBarcodes);
        }

        private static String sample(SortedSet<String> barcodes) {
            List<String> listed = barcodes.stream().limit(MAX_LISTED_BARCODES).toList();
            return barcodes.size() > MAX_LISTED_BARCODES ? listed + " and " + (barcodes.size() - listed.size())
                    + " more" : listed.toString();
        }

        /**
         * Asserts the five counts that the fault tests measure, and that every duplicate is an identical re-send and
         * nothing arrived that was not created and mapped.
         */
        public void assertExactly(int expectedCreated, int expectedDelivered, int expectedLost, int expectedDuplicated,
                int expectedIdenticalResends) {
            Assertions.assertThat(created).as("created tickets; %s", describe()).isEqualTo(expectedCreated);
            Assertions.assertThat(delivered).as("delivered tickets; %s", describe()).isEqualTo(expectedDelivered);
            Assertions.assertThat(lost()).as("lost tickets; %s", describe()).isEqualTo(expectedLost);
            Assertions.assertThat(duplicated).as("duplicated barcodes; %s", describe()).isEqualTo(expectedDuplicated);
            Assertions.assertThat(identicalResends).as("identical re-sends; %s", describe())
                    .isEqualTo(expectedIdenticalResends);
            Assertions.assertThat(changedResends).as("re-sends with a changed attachment; %s", describe()).isZero();
            Assertions.assertThat(duplicatedOutsideResends()).as("duplicates outside identical re-sends; %s",
                    describe()).isZero();
            Assertions.assertThat(unexpected()).as("barcodes of tickets not created and mapped; %s", describe())
                    .isZero();
        }

        @Override
        public String toString() {
            return summary();
        }
    }
}
