package io.barcodepush.mail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.SendFailedException;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.camel.Exchange;
import org.apache.camel.attachment.AttachmentMessage;
import org.apache.camel.attachment.DefaultAttachment;

import io.barcodepush.export.ExportInterface;
import io.barcodepush.ledger.ExportFile;

/**
 * Builds the mail that carries one export file, and reads what the SMTP server did with its recipients.
 */
public class ExportMail {

    /** Exchange property holding the {@link ExportFile} being sent. */
    public static final String FILE_PROPERTY = "exportFile";
    /** Exchange property holding the recipients the server refused while accepting the mail for others. */
    public static final String REFUSED_PROPERTY = "refusedRecipients";

    private final String from;

    public ExportMail(String from) {
        this.from = from;
    }

    /** Host part for Message-IDs: the domain of the From address. */
    public String messageIdHost() {
        int at = from.lastIndexOf('@');
        return at >= 0 ? from.substring(at + 1) : "barcode-push";
    }

    public String subject(ExportInterface exportInterface, int rows, String fileName) {
        return "Ticket barcodes for " + exportInterface.name() + ": " + rows + (rows == 1 ? " ticket" : " tickets")
                + " (" + fileName + ")";
    }

    /**
     * Sets the headers, text and attachment of the mail for the file in {@value #FILE_PROPERTY}.
     * Runs after all other headers were removed, so nothing from the trigger or the query reaches the mail.
     */
    public void prepare(Exchange exchange, ExportInterface exportInterface) {
        ExportFile file = exchange.getProperty(FILE_PROPERTY, ExportFile.class);
        var message = exchange.getMessage();
        message.setHeader("From", from);
        message.setHeader("To", String.join(", ", exportInterface.recipients()));
        message.setHeader("Subject", file.subject());
        message.setHeader("Message-ID", file.messageId());
        message.setHeader("Content-Type", "text/plain; charset=UTF-8");
        message.setBody("Attached is " + file.fileName() + " with the barcodes of " + file.rowCount()
                + (file.rowCount() == 1 ? " ticket" : " tickets") + " for " + exportInterface.name() + ".\r\n"
                + "Each barcode is sent once; a later file carries only new tickets.\r\n"
                + "\r\n"
                + "This message was sent automatically by barcode-push.\r\n");

        ByteArrayDataSource attachment = new ByteArrayDataSource(file.content(), file.contentType());
        attachment.setName(file.fileName());
        DefaultAttachment part = new DefaultAttachment(new DataHandler(attachment));
        // Base64 keeps the file's bytes exact: quoted-printable would turn its LF line ends into CRLF.
        part.setHeader("Content-Transfer-Encoding", "base64");
        AttachmentMessage attachmentMessage = exchange.getMessage(AttachmentMessage.class);
        // A scheduled run's exchange (InOnly) still carries the previous file's attachment when the run sends several
        // files, so it is cleared and each mail carries only its own file.
        attachmentMessage.clearAttachments();
        attachmentMessage.addAttachmentObject(file.fileName(), part);
        exchange.removeProperty(REFUSED_PROPERTY);
    }

    /**
     * Returns the refused recipients when the server accepted the mail for some recipients and refused the others.
     * Such a mail counts as sent. Returns null for any other failure.
     */
    public String refusedRecipientsOfPartialDelivery(Throwable failure) {
        SendFailedException sendFailed = sendFailure(failure);
        if (sendFailed == null || sendFailed.getValidSentAddresses() == null
                || sendFailed.getValidSentAddresses().length == 0) {
            return null;
        }
        List<String> refused = new ArrayList<>();
        if (sendFailed.getInvalidAddresses() != null) {
            Arrays.stream(sendFailed.getInvalidAddresses()).map(Address::toString).forEach(refused::add);
        }
        if (sendFailed.getValidUnsentAddresses() != null) {
            Arrays.stream(sendFailed.getValidUnsentAddresses()).map(Address::toString).forEach(refused::add);
        }
        return String.join(", ", refused);
    }

    private static SendFailedException sendFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SendFailedException sendFailed) {
                return sendFailed;
            }
        }
        return null;
    }
}
