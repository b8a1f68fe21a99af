package io.barcodepush.ledger;

/**
 * An export file as recorded before it is mailed; a re-send uses exactly these bytes, name and Message-ID.
 *
 * @param fileId       database id
 * @param interfaceKey key of the interface the file belongs to
 * @param fileName     attachment file name, unique per interface
 * @param content      attachment bytes
 * @param contentType  MIME type of the attachment
 * @param messageId    Message-ID header, angle brackets included
 * @param subject      mail subject
 * @param rowCount     number of tickets in the file
 * @param attempts     send attempts made before this one
 */
public record ExportFile(
        long fileId,
        String interfaceKey,
        String fileName,
        byte[] content,
        String contentType,
        String messageId,
        String subject,
        int rowCount,
        int attempts) {
}
